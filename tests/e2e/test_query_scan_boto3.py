#!/usr/bin/env python3
"""End-to-end Query and Scan: the real dynalocal binary driven by boto3,
including its paginators (which follow LastEvaluatedKey).

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_query_scan_boto3.py

Starts the binary with `--port 0 --in-memory`, reads the port from
"dynalocal listening on http://HOST:PORT", and always kills it. Every
expectation is DynamoDB's behaviour. Ends with "N passed, M failed".
"""

import sys
import unittest
from decimal import Decimal

from botocore.exceptions import ClientError

from e2e_server import SERVER, clients, run_suite

class QueryScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client, cls.resource = clients(SERVER["endpoint"])
        cls.client.create_table(
            TableName="events",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST")
        cls.table = cls.resource.Table("events")
        for p in range(10):
            for s in range(-10, 20):
                cls.table.put_item(Item={"pk": f"user{p}", "sk": s,
                                         "even": s % 2 == 0, "data": "x" * 10})

    def test_paginated_scan_returns_every_item_once(self):
        seen = []
        pages = 0
        for page in self.client.get_paginator("scan").paginate(
                TableName="events", PaginationConfig={"PageSize": 7}):
            pages += 1
            seen += [(i["pk"]["S"], i["sk"]["N"]) for i in page["Items"]]
        self.assertEqual(len(seen), 300)
        self.assertEqual(len(set(seen)), 300)
        self.assertGreater(pages, 40)

    def test_parallel_scan_segments(self):
        seen = set()
        for segment in range(4):
            for page in self.client.get_paginator("scan").paginate(
                    TableName="events", Segment=segment, TotalSegments=4,
                    PaginationConfig={"PageSize": 11}):
                for item in page["Items"]:
                    key = (item["pk"]["S"], item["sk"]["N"])
                    self.assertNotIn(key, seen)
                    seen.add(key)
        self.assertEqual(len(seen), 300)

    def test_paginated_query_in_numeric_order(self):
        keys = []
        for page in self.client.get_paginator("query").paginate(
                TableName="events", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "user3"}},
                PaginationConfig={"PageSize": 4}):
            keys += [int(i["sk"]["N"]) for i in page["Items"]]
        self.assertEqual(keys, list(range(-10, 20)))

    def test_query_backward_with_condition_resource_api(self):
        from boto3.dynamodb.conditions import Attr, Key
        result = self.table.query(
            KeyConditionExpression=Key("pk").eq("user1") & Key("sk").between(-3, 3),
            FilterExpression=Attr("even").eq(True), ScanIndexForward=False)
        self.assertEqual([int(i["sk"]) for i in result["Items"]], [2, 0, -2])
        self.assertEqual(result["ScannedCount"], 7)
        self.assertEqual(result["Count"], 3)

    def test_select_count_and_projection(self):
        result = self.client.query(
            TableName="events", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "user2"}}, Select="COUNT")
        self.assertEqual(result["Count"], 30)
        self.assertNotIn("Items", result)
        result = self.table.scan(ProjectionExpression="sk", Limit=5)
        self.assertEqual(len(result["Items"]), 5)
        self.assertTrue(all(list(i) == ["sk"] for i in result["Items"]))
        self.assertIn("LastEvaluatedKey", result)
        self.assertIsInstance(result["Items"][0]["sk"], Decimal)

    def test_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.client.query(TableName="events",
                              KeyConditionExpression="sk = :v",
                              ExpressionAttributeValues={":v": {"N": "1"}})
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Query condition missed key schema element: pk")
        with self.assertRaises(ClientError) as cm:
            self.client.scan(TableName="events", Segment=4, TotalSegments=4)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")


def main():
    return run_suite("query-scan", QueryScanTest)


if __name__ == "__main__":
    sys.exit(main())
