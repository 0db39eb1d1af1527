#!/usr/bin/env python3
"""End-to-end secondary indexes: the real dynalocal binary driven by boto3.
GSIs (KEYS_ONLY, INCLUDE, ALL), an LSI, sparse indexes, paging over one
index key value with boto3's paginator, index maintenance by UpdateItem,
key type checks, and UpdateTable creating (with backfill) and deleting a GSI.

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_indexes_boto3.py

Starts the binary with `--port 0 --in-memory`, reads the port from
"dynalocal listening on http://HOST:PORT", and always kills it. Every
expectation is DynamoDB's behaviour. Ends with "N passed, M failed".
"""

import sys
import time
import unittest
from decimal import Decimal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from e2e_server import SERVER, clients, run_suite

def attr(name, type_):
    return {"AttributeName": name, "AttributeType": type_}


def key(name, type_):
    return {"AttributeName": name, "KeyType": type_}


class IndexesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client, cls.resource = clients(SERVER["endpoint"])
        # users: id hash; GSI byEmail (email), KEYS_ONLY.
        cls.client.create_table(
            TableName="users",
            AttributeDefinitions=[attr("id", "S"), attr("email", "S")],
            KeySchema=[key("id", "HASH")],
            GlobalSecondaryIndexes=[{
                "IndexName": "byEmail", "KeySchema": [key("email", "HASH")],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")
        cls.users = cls.resource.Table("users")
        for i, email in enumerate(["ann@x.com", "bob@x.com", "cy@x.com"]):
            cls.users.put_item(Item={"id": f"u{i}", "email": email,
                                     "name": email.split("@")[0]})
        cls.users.put_item(Item={"id": "u-none", "name": "nobody"})

        # books: isbn hash; GSI byPublisher (publisher, year_isbn), INCLUDE
        # title.
        cls.client.create_table(
            TableName="books",
            AttributeDefinitions=[attr("isbn", "S"), attr("publisher", "S"),
                                  attr("year_isbn", "S")],
            KeySchema=[key("isbn", "HASH")],
            GlobalSecondaryIndexes=[{
                "IndexName": "byPublisher",
                "KeySchema": [key("publisher", "HASH"),
                              key("year_isbn", "RANGE")],
                "Projection": {"ProjectionType": "INCLUDE",
                               "NonKeyAttributes": ["title"]}}],
            BillingMode="PAY_PER_REQUEST")
        cls.books = cls.resource.Table("books")
        for isbn, publisher, year, title in [
                ("i4", "acme", 2020, "Delta"), ("i1", "acme", 2021, "Alpha"),
                ("i3", "acme", 2020, "Charlie"), ("i2", "acme", 2019, "Bravo"),
                ("i6", "acme", 2020, "Foxtrot"), ("i5", "other", 2020, "Echo")]:
            cls.books.put_item(Item={
                "isbn": isbn, "publisher": publisher,
                "year_isbn": f"{year}#{isbn}", "title": title,
                "author": "someone", "price": Decimal("9.5")})
        cls.books.put_item(Item={"isbn": "i7", "title": "Unpublished"})

        # orders: customer hash, order_id range; LSI byTotal (total), KEYS_ONLY.
        cls.client.create_table(
            TableName="orders",
            AttributeDefinitions=[attr("customer", "S"), attr("order_id", "S"),
                                  attr("total", "N")],
            KeySchema=[key("customer", "HASH"), key("order_id", "RANGE")],
            LocalSecondaryIndexes=[{
                "IndexName": "byTotal",
                "KeySchema": [key("customer", "HASH"), key("total", "RANGE")],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")
        cls.orders = cls.resource.Table("orders")
        for order_id, total in [("o1", 30), ("o2", 10), ("o3", 20)]:
            cls.orders.put_item(Item={"customer": "c1", "order_id": order_id,
                                      "total": total, "note": f"n-{order_id}"})
        cls.orders.put_item(Item={"customer": "c1", "order_id": "o4",
                                  "note": "no total"})
        cls.orders.put_item(Item={"customer": "c2", "order_id": "o9",
                                  "total": 5})

    def query_email(self, email):
        return self.users.query(IndexName="byEmail",
                                KeyConditionExpression=Key("email").eq(email))

    def test_gsi_query_by_email_keys_only(self):
        result = self.query_email("bob@x.com")
        self.assertEqual(result["Items"], [{"id": "u1", "email": "bob@x.com"}])
        self.assertEqual(result["Count"], 1)
        self.assertEqual(self.query_email("nobody@x.com")["Items"], [])

    def test_gsi_begins_with_in_sort_order_include_projection(self):
        result = self.books.query(
            IndexName="byPublisher",
            KeyConditionExpression=Key("publisher").eq("acme")
            & Key("year_isbn").begins_with("2020#"))
        # INCLUDE: table keys, index keys and title only; sorted by year_isbn.
        self.assertEqual(result["Items"], [
            {"isbn": "i3", "publisher": "acme", "year_isbn": "2020#i3",
             "title": "Charlie"},
            {"isbn": "i4", "publisher": "acme", "year_isbn": "2020#i4",
             "title": "Delta"},
            {"isbn": "i6", "publisher": "acme", "year_isbn": "2020#i6",
             "title": "Foxtrot"}])
        backward = self.books.query(
            IndexName="byPublisher", ScanIndexForward=False,
            KeyConditionExpression=Key("publisher").eq("acme"))
        self.assertEqual([i["isbn"] for i in backward["Items"]],
                         ["i1", "i6", "i4", "i3", "i2"])
        with self.assertRaises(ClientError) as cm:
            self.books.query(IndexName="byPublisher", Select="ALL_ATTRIBUTES",
                             KeyConditionExpression=Key("publisher").eq("acme"))
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "One or more parameter values were invalid: Select type "
            "ALL_ATTRIBUTES is not supported for global secondary index "
            "byPublisher because its projection type is not ALL")

    def test_lsi_query_all_attributes_fetches_from_table(self):
        projected = self.orders.query(
            IndexName="byTotal", KeyConditionExpression=Key("customer").eq("c1"))
        self.assertEqual(projected["Items"], [
            {"customer": "c1", "order_id": "o2", "total": 10},
            {"customer": "c1", "order_id": "o3", "total": 20},
            {"customer": "c1", "order_id": "o1", "total": 30}])
        full = self.orders.query(
            IndexName="byTotal", Select="ALL_ATTRIBUTES",
            KeyConditionExpression=Key("customer").eq("c1")
            & Key("total").gt(15))
        self.assertEqual(full["Items"], [
            {"customer": "c1", "order_id": "o3", "total": 20, "note": "n-o3"},
            {"customer": "c1", "order_id": "o1", "total": 30, "note": "n-o1"}])

    def test_sparse_indexes(self):
        # Items without the index key are absent from the index.
        emails = self.client.scan(TableName="users", IndexName="byEmail")
        self.assertEqual(sorted(i["id"]["S"] for i in emails["Items"]),
                         ["u0", "u1", "u2"])
        books = self.books.scan(IndexName="byPublisher")
        self.assertEqual(sorted(i["isbn"] for i in books["Items"]),
                         ["i1", "i2", "i3", "i4", "i5", "i6"])
        orders = self.orders.scan(IndexName="byTotal")
        self.assertEqual(sorted(i["order_id"] for i in orders["Items"]),
                         ["o1", "o2", "o3", "o9"])
        described = self.client.describe_table(TableName="books")["Table"]
        self.assertEqual(described["GlobalSecondaryIndexes"][0]["ItemCount"], 6)

    def test_paginated_query_over_one_index_key_value(self):
        self.client.create_table(
            TableName="crowd",
            AttributeDefinitions=[attr("pk", "S"), attr("grp", "S")],
            KeySchema=[key("pk", "HASH")],
            GlobalSecondaryIndexes=[{
                "IndexName": "byGrp", "KeySchema": [key("grp", "HASH")],
                "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST")
        with self.resource.Table("crowd").batch_writer() as batch:
            for i in range(300):
                batch.put_item(Item={"pk": f"p{i:03d}", "grp": "same", "n": i})
        seen = []
        pages = 0
        for page in self.client.get_paginator("query").paginate(
                TableName="crowd", IndexName="byGrp",
                KeyConditionExpression="grp = :g",
                ExpressionAttributeValues={":g": {"S": "same"}},
                PaginationConfig={"PageSize": 7}):
            pages += 1
            self.assertLessEqual(len(page["Items"]), 7)
            seen += [i["pk"]["S"] for i in page["Items"]]
        self.assertEqual(len(seen), 300)
        self.assertEqual(set(seen), {f"p{i:03d}" for i in range(300)})
        self.assertGreaterEqual(pages, 43)

    def test_index_follows_update_item(self):
        self.users.put_item(Item={"id": "m1", "email": "old@m.com"})
        self.users.put_item(Item={"id": "m2"})
        # Change the index key.
        self.users.update_item(Key={"id": "m1"}, UpdateExpression="SET email = :e",
                               ExpressionAttributeValues={":e": "new@m.com"})
        self.assertEqual(self.query_email("old@m.com")["Items"], [])
        self.assertEqual(self.query_email("new@m.com")["Items"],
                         [{"id": "m1", "email": "new@m.com"}])
        # Add it to an item that had none.
        self.users.update_item(Key={"id": "m2"}, UpdateExpression="SET email = :e",
                               ExpressionAttributeValues={":e": "new@m.com"})
        self.assertEqual(sorted(i["id"] for i in
                                self.query_email("new@m.com")["Items"]),
                         ["m1", "m2"])
        # Remove it.
        self.users.update_item(Key={"id": "m1"}, UpdateExpression="REMOVE email")
        self.assertEqual(self.query_email("new@m.com")["Items"],
                         [{"id": "m2", "email": "new@m.com"}])
        # A non-key attribute change leaves the entry alone.
        self.users.update_item(Key={"id": "m2"}, UpdateExpression="SET age = :a",
                               ExpressionAttributeValues={":a": 3})
        self.assertEqual(self.query_email("new@m.com")["Items"],
                         [{"id": "m2", "email": "new@m.com"}])
        self.users.delete_item(Key={"id": "m2"})
        self.assertEqual(self.query_email("new@m.com")["Items"], [])

    def test_wrong_type_index_key_rejected(self):
        with self.assertRaises(ClientError) as cm:
            self.users.put_item(Item={"id": "w1", "email": 5})
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "One or more parameter values were invalid: Type mismatch for "
            "Index Key email Expected: S Actual: N IndexName: byEmail")
        self.users.put_item(Item={"id": "w2"})
        with self.assertRaises(ClientError) as cm:
            self.users.update_item(Key={"id": "w2"},
                                   UpdateExpression="SET email = :e",
                                   ExpressionAttributeValues={":e": b"bin"})
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "One or more parameter values were invalid: Type mismatch for "
            "Index Key email Expected: S Actual: B IndexName: byEmail")
        # Nothing was written.
        self.assertNotIn("Item", self.users.get_item(Key={"id": "w1"}))
        self.assertEqual(self.users.get_item(Key={"id": "w2"})["Item"],
                         {"id": "w2"})
        with self.assertRaises(ClientError) as cm:
            self.orders.put_item(Item={"customer": "c9", "order_id": "o",
                                       "total": "ten"})
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "One or more parameter values were invalid: Type mismatch for "
            "Index Key total Expected: N Actual: S IndexName: byTotal")

    def index_statuses(self, table):
        described = self.client.describe_table(TableName=table)["Table"]
        return {i["IndexName"]: i["IndexStatus"]
                for i in described.get("GlobalSecondaryIndexes", [])}

    def test_update_table_creates_and_deletes_gsi(self):
        self.client.create_table(
            TableName="late", AttributeDefinitions=[attr("pk", "S")],
            KeySchema=[key("pk", "HASH")], BillingMode="PAY_PER_REQUEST")
        late = self.resource.Table("late")
        with late.batch_writer() as batch:
            for i in range(1500):
                item = {"pk": f"k{i:04d}", "n": i}
                if i % 3 == 0:
                    item["color"] = "red" if i % 2 == 0 else "blue"
                batch.put_item(Item=item)
        self.client.update_table(
            TableName="late", AttributeDefinitions=[attr("color", "S")],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byColor", "KeySchema": [key("color", "HASH")],
                "Projection": {"ProjectionType": "ALL"}}}])
        deadline = time.monotonic() + 30
        while self.index_statuses("late").get("byColor") != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "byColor never ACTIVE")
            time.sleep(0.05)
        red = []
        for page in self.client.get_paginator("query").paginate(
                TableName="late", IndexName="byColor",
                KeyConditionExpression="color = :c",
                ExpressionAttributeValues={":c": {"S": "red"}}):
            red += [i["pk"]["S"] for i in page["Items"]]
        self.assertEqual(sorted(red),
                         [f"k{i:04d}" for i in range(0, 1500, 6)])
        described = self.client.describe_table(TableName="late")["Table"]
        self.assertEqual(described["GlobalSecondaryIndexes"][0]["ItemCount"],
                         500)
        # New writes are indexed too.
        late.put_item(Item={"pk": "fresh", "color": "green"})
        self.assertEqual(
            late.query(IndexName="byColor",
                       KeyConditionExpression=Key("color").eq("green"))["Items"],
            [{"pk": "fresh", "color": "green"}])

        self.client.update_table(
            TableName="late",
            GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byColor"}}])
        deadline = time.monotonic() + 30
        while "byColor" in self.index_statuses("late"):
            self.assertLess(time.monotonic(), deadline, "byColor never removed")
            time.sleep(0.05)
        with self.assertRaises(ClientError) as cm:
            late.query(IndexName="byColor",
                       KeyConditionExpression=Key("color").eq("red"))
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The table does not have the specified index: byColor")
        # The table's items are untouched.
        self.assertEqual(self.client.scan(TableName="late", Select="COUNT")
                         ["Count"], 1501)


def main():
    return run_suite("indexes", IndexesTest)


if __name__ == "__main__":
    sys.exit(main())
