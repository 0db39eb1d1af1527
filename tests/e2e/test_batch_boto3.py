#!/usr/bin/env python3
"""End-to-end batches and transactions: the real dynalocal binary driven by
boto3, including batch_writer() (which resends UnprocessedItems).

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_batch_boto3.py

Starts the binary with `--port 0 --in-memory`, reads the port from
"dynalocal listening on http://HOST:PORT", and always kills it. Every
expectation is DynamoDB's behaviour. Ends with "N passed, M failed".
"""

import sys
import threading
import unittest
from decimal import Decimal

from botocore.exceptions import ClientError

from e2e_server import SERVER, clients, run_suite

class BatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client, cls.resource = clients(SERVER["endpoint"])
        for name in ("bulk", "big", "accounts"):
            cls.client.create_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "pk",
                                       "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST")

    def test_batch_writer_thousands_then_batch_get(self):
        table = self.resource.Table("bulk")
        with table.batch_writer() as writer:
            for i in range(3000):
                writer.put_item(Item={"pk": f"item{i}", "n": i,
                                      "tags": {"a", "b"}})
        self.assertEqual(self.client.describe_table(
            TableName="bulk")["Table"]["ItemCount"], 3000)
        keys = [{"pk": f"item{i}"} for i in range(0, 3000, 30)]
        self.assertEqual(len(keys), 100)
        result = self.resource.batch_get_item(RequestItems={
            "bulk": {"Keys": keys, "ProjectionExpression": "pk, n"}})
        items = result["Responses"]["bulk"]
        self.assertEqual(len(items), 100)
        self.assertEqual(result["UnprocessedKeys"], {})
        self.assertEqual(sorted(int(i["n"]) for i in items),
                         list(range(0, 3000, 30)))
        self.assertTrue(all(set(i) == {"pk", "n"} for i in items))
        with table.batch_writer(overwrite_by_pkeys=["pk"]) as writer:
            for i in range(1000):
                writer.delete_item(Key={"pk": f"item{i}"})
        self.assertEqual(self.client.describe_table(
            TableName="bulk")["Table"]["ItemCount"], 2000)

    def test_batch_limits(self):
        with self.assertRaises(ClientError) as cm:
            self.client.batch_get_item(RequestItems={"bulk": {"Keys": [
                {"pk": {"S": f"k{i}"}} for i in range(101)]}})
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "1 validation error detected: Value at "
            "'RequestItems.bulk.member.Keys' failed to satisfy constraint: "
            "Member must have length less than or equal to 100")
        with self.assertRaises(ClientError) as cm:
            self.client.batch_write_item(RequestItems={"bulk": [
                {"PutRequest": {"Item": {"pk": {"S": "d"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]})
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Provided list of item keys contains duplicates")

    def test_unprocessed_keys_past_16_megabytes(self):
        table = self.resource.Table("big")
        blob = "x" * (390 * 1024)
        with table.batch_writer() as writer:
            for i in range(100):
                writer.put_item(Item={"pk": f"b{i}", "blob": blob})
        request = {"big": {"Keys": [{"pk": {"S": f"b{i}"}}
                                    for i in range(100)]}}
        first = self.client.batch_get_item(RequestItems=request)
        got = len(first["Responses"]["big"])
        self.assertLess(got, 100)
        self.assertEqual(len(first["UnprocessedKeys"]["big"]["Keys"]),
                         100 - got)
        total, pending = got, first["UnprocessedKeys"]
        while pending:
            page = self.client.batch_get_item(RequestItems=pending)
            total += len(page["Responses"]["big"])
            pending = page["UnprocessedKeys"]
        self.assertEqual(total, 100)

    def put_accounts(self, count, balance):
        table = self.resource.Table("accounts")
        for i in range(count):
            table.put_item(Item={"pk": f"acct{i}", "bal": balance})

    def transfer(self, client, source, target, amount, token=None):
        kwargs = {"ClientRequestToken": token} if token else {}
        return client.transact_write_items(TransactItems=[
            {"Update": {"TableName": "accounts",
                        "Key": {"pk": {"S": source}},
                        "UpdateExpression": "SET bal = bal - :a",
                        "ConditionExpression": "bal >= :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
            {"Update": {"TableName": "accounts",
                        "Key": {"pk": {"S": target}},
                        "UpdateExpression": "SET bal = bal + :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        ], **kwargs)

    def balances(self, count):
        result = self.client.transact_get_items(TransactItems=[
            {"Get": {"TableName": "accounts", "Key": {"pk": {"S": f"acct{i}"}}}}
            for i in range(count)])
        return [int(r["Item"]["bal"]["N"]) for r in result["Responses"]]

    def test_transaction_fails_on_one_condition(self):
        self.put_accounts(2, 10)
        with self.assertRaises(ClientError) as cm:
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "accounts",
                         "Item": {"pk": {"S": "newacct"}, "bal": {"N": "1"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"ConditionCheck": {
                    "TableName": "accounts", "Key": {"pk": {"S": "acct0"}},
                    "ConditionExpression": "bal > :v",
                    "ExpressionAttributeValues": {":v": {"N": "100"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
        error = cm.exception.response
        self.assertEqual(error["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(
            error["Error"]["Message"],
            "Transaction cancelled, please refer cancellation reasons for "
            "specific reasons [None, ConditionalCheckFailed]")
        reasons = error["CancellationReasons"]
        self.assertEqual([r["Code"] for r in reasons],
                         ["None", "ConditionalCheckFailed"])
        self.assertEqual(reasons[1]["Item"]["bal"], {"N": "10"})
        self.assertNotIn("Item", self.client.get_item(
            TableName="accounts", Key={"pk": {"S": "newacct"}}))

    def test_idempotent_retry(self):
        self.put_accounts(2, 50)
        self.transfer(self.client, "acct0", "acct1", 5, token="e2e-token-1")
        self.transfer(self.client, "acct0", "acct1", 5, token="e2e-token-1")
        self.assertEqual(self.balances(2), [45, 55])
        with self.assertRaises(ClientError) as cm:
            self.transfer(self.client, "acct0", "acct1", 6,
                          token="e2e-token-1")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "IdempotentParameterMismatchException")

    def test_concurrent_transfers_keep_the_total(self):
        accounts = 10
        self.put_accounts(accounts, 100)
        failures = []

        def client_loop(seed):
            client, _ = clients(SERVER["endpoint"])
            state = seed
            for _ in range(30):
                state = (state * 1103515245 + 12345) % (1 << 31)
                source = state % accounts
                target = (source + 1 + (state >> 8) % (accounts - 1)) % accounts
                try:
                    self.transfer(client, f"acct{source}", f"acct{target}",
                                  1 + (state >> 4) % 40)
                except ClientError as e:
                    code = e.response["Error"]["Code"]
                    if code != "TransactionCanceledException":
                        failures.append(code)

        threads = [threading.Thread(target=client_loop, args=(s,))
                   for s in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        balances = self.balances(accounts)
        self.assertEqual(sum(balances), 100 * accounts)
        self.assertTrue(all(b >= 0 for b in balances))


def main():
    return run_suite("batch", BatchTest)


if __name__ == "__main__":
    sys.exit(main())
