#!/usr/bin/env python3
"""End-to-end tests: the real dynalocal binary driven by boto3 (client and resource).

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_boto3.py [-v] [-k PATTERN]

Starts the binary on a free port (--port 0) with a temporary data directory,
and always stops it and removes the directory, even when a test fails.
DYNALOCAL_E2E_ENDPOINT=http://HOST:PORT runs the tests against a server that is
already running instead (the restart tests are then skipped).

Every expectation is DynamoDB's behaviour. Ends with "N passed, M failed".
"""

import datetime
import json
import os
import sys
import time
import unittest
import urllib.request
import zlib
from decimal import Decimal

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import ClientError

from e2e_server import STOP_TIMEOUT_S, TMP_ROOT, Server, run_tests

ACCOUNT = "000000000000"
REGION = "us-east-1"
BINARY = os.path.abspath(os.environ["DYNALOCAL_BIN"]) if os.environ.get("DYNALOCAL_BIN") else ""
EXTERNAL_ENDPOINT = os.environ.get("DYNALOCAL_E2E_ENDPOINT", "")


_counter = 0


def unique(prefix):
    global _counter
    _counter += 1
    return f"{prefix}-{os.getpid()}-{_counter}"


def session(region=REGION):
    return boto3.session.Session(aws_access_key_id="dummy", aws_secret_access_key="dummy",
                                 region_name=region)


CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                read_timeout=20)


def client(endpoint, region=REGION):
    return session(region).client("dynamodb", endpoint_url=endpoint, config=CONFIG)


def resource(endpoint, region=REGION):
    return session(region).resource("dynamodb", endpoint_url=endpoint, config=CONFIG)


def create_hash_table(ddb, name, key_type="S", billing="PAY_PER_REQUEST"):
    args = dict(TableName=name,
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": key_type}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    if billing == "PAY_PER_REQUEST":
        args["BillingMode"] = "PAY_PER_REQUEST"
    else:
        args["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    return ddb.create_table(**args)["TableDescription"]


def wait_exists(ddb, name):
    ddb.get_waiter("table_exists").wait(TableName=name,
                                        WaiterConfig={"Delay": 1, "MaxAttempts": 20})


def canon(value):
    """A type-strict form of a boto3 resource value (Decimal('1') != 1 here)."""
    if isinstance(value, bool):
        return ("BOOL", value)
    if value is None:
        return ("NULL",)
    if isinstance(value, str):
        return ("S", value)
    if isinstance(value, Decimal):
        return ("N", value)
    if isinstance(value, (bytes, bytearray, Binary)):
        return ("B", bytes(value.value if isinstance(value, Binary) else value))
    if isinstance(value, dict):
        return ("M", {k: canon(v) for k, v in value.items()})
    if isinstance(value, list):
        return ("L", [canon(v) for v in value])
    if isinstance(value, set):
        kinds = {canon(v)[0] for v in value}
        assert len(kinds) == 1, f"mixed set {value!r}"
        return (kinds.pop() + "S", frozenset(canon(v)[1] for v in value))
    raise TypeError(f"unexpected {type(value)}: {value!r}")


class E2ETestCase(unittest.TestCase):
    maxDiff = None

    def assertError(self, call, code, message, status=400):
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        self.assertEqual(err["Error"]["Message"], message)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)


class SharedServerTests(E2ETestCase):
    """Tests that share one server (one per run); each uses its own tables."""

    server = None
    endpoint = None

    @classmethod
    def setUpClass(cls):
        if EXTERNAL_ENDPOINT:
            cls.endpoint = EXTERNAL_ENDPOINT
        else:
            cls.server = Server(BINARY, os.path.join(TMP_ROOT, "shared"),
                                "--data-dir", os.path.join(TMP_ROOT, "shared", "data")).start()
            cls.endpoint = cls.server.endpoint
        cls.ddb = client(cls.endpoint)
        cls.res = resource(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.kill()

    def new_table(self, prefix, key_type="S"):
        name = unique(prefix)
        create_hash_table(self.ddb, name, key_type)
        wait_exists(self.ddb, name)
        return name

    # ---- tables -------------------------------------------------------------

    def test_create_hash_table_describe(self):
        name = unique("hash")
        created = create_hash_table(self.ddb, name)
        self.assertEqual(created["TableName"], name)
        self.assertIn(created["TableStatus"], ("CREATING", "ACTIVE"))
        self.assertEqual(created["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        wait_exists(self.ddb, name)

        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["TableName"], name)
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual(table["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(table["AttributeDefinitions"],
                         [{"AttributeName": "pk", "AttributeType": "S"}])
        self.assertEqual(table["TableArn"], f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}")
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 0)
        self.assertEqual(table["ProvisionedThroughput"]["WriteCapacityUnits"], 0)
        self.assertEqual(table["ItemCount"], 0)
        self.assertEqual(table["TableSizeBytes"], 0)
        self.assertIsInstance(table["CreationDateTime"], datetime.datetime)
        age = datetime.datetime.now(datetime.timezone.utc) - table["CreationDateTime"]
        self.assertLess(abs(age.total_seconds()), 120)

        for i in range(3):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "k0"}, "v": {"N": "9"}})  # overwrite
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["ItemCount"], 3)

    def test_create_provisioned_table_describe(self):
        name = unique("prov")
        create_hash_table(self.ddb, name, "N", billing="PROVISIONED")
        wait_exists(self.ddb, name)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["AttributeDefinitions"],
                         [{"AttributeName": "pk", "AttributeType": "N"}])
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(table["ProvisionedThroughput"]["WriteCapacityUnits"], 5)

    def test_create_hash_range_number_sort_key(self):
        name = unique("range-n")
        self.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        wait_exists(self.ddb, name)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertEqual(table["AttributeDefinitions"],
                         [{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}])

        t = self.res.Table(name)
        for sk in (Decimal("-1.5"), Decimal("0"), Decimal("1"), Decimal("10"),
                   Decimal("99999999999999999999999999999999999999")):
            t.put_item(Item={"pk": "p", "sk": sk, "v": str(sk)})
        for sk in (Decimal("-1.5"), Decimal("0"), Decimal("1"), Decimal("10"),
                   Decimal("99999999999999999999999999999999999999")):
            item = t.get_item(Key={"pk": "p", "sk": sk}, ConsistentRead=True)["Item"]
            self.assertEqual(canon(item), canon({"pk": "p", "sk": sk, "v": str(sk)}))
        # 1 and 1.0 are the same number, so the same key.
        t.put_item(Item={"pk": "p", "sk": Decimal("1.0"), "v": "replaced"})
        item = self.ddb.get_item(TableName=name, ConsistentRead=True,
                                 Key={"pk": {"S": "p"}, "sk": {"N": "1"}})["Item"]
        self.assertEqual(item, {"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"S": "replaced"}})
        self.assertEqual(self.ddb.describe_table(TableName=name)["Table"]["ItemCount"], 5)
        # A key with only the hash part does not match a composite schema.
        self.assertError(lambda: self.ddb.get_item(TableName=name, Key={"pk": {"S": "p"}}),
                         "ValidationException",
                         "The provided key element does not match the schema")

    def test_create_binary_hash_key(self):
        name = unique("bin")
        create_hash_table(self.ddb, name, "B")
        wait_exists(self.ddb, name)
        t = self.res.Table(name)
        keys = [b"\x00", b"\x00\x00", b"\xff\x00\x01", b"plain"]
        for i, key in enumerate(keys):
            t.put_item(Item={"pk": key, "i": i})
        for i, key in enumerate(keys):
            item = t.get_item(Key={"pk": key}, ConsistentRead=True)["Item"]
            self.assertEqual(canon(item), canon({"pk": key, "i": Decimal(i)}))
        raw = self.ddb.get_item(TableName=name, Key={"pk": {"B": b"\xff\x00\x01"}})["Item"]
        self.assertEqual(raw, {"pk": {"B": b"\xff\x00\x01"}, "i": {"N": "2"}})

    def test_resource_create_table_and_meta(self):
        name = unique("res")
        table = self.res.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "at", "AttributeType": "B"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"},
                       {"AttributeName": "at", "KeyType": "RANGE"}])
        table.wait_until_exists(WaiterConfig={"Delay": 1, "MaxAttempts": 20})
        table.load()
        self.assertEqual(table.table_status, "ACTIVE")
        self.assertEqual(table.key_schema, [{"AttributeName": "id", "KeyType": "HASH"},
                                            {"AttributeName": "at", "KeyType": "RANGE"}])
        table.put_item(Item={"id": "a", "at": b"\x01", "x": "y"})
        got = table.get_item(Key={"id": "a", "at": b"\x01"})["Item"]
        self.assertEqual(canon(got), canon({"id": "a", "at": b"\x01", "x": "y"}))
        table.load()
        self.assertEqual(table.item_count, 1)
        table.delete()
        table.wait_until_not_exists(WaiterConfig={"Delay": 1, "MaxAttempts": 20})

    def test_create_existing_table_is_in_use(self):
        name = self.new_table("dup")
        self.assertError(lambda: create_hash_table(self.ddb, name), "ResourceInUseException",
                         f"Table already exists: {name}")

    def test_delete_table_then_describe(self):
        name = self.new_table("del")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
        deleted = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(deleted["TableName"], name)
        self.assertEqual(deleted["TableStatus"], "DELETING")
        self.ddb.get_waiter("table_not_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
        self.assertError(lambda: self.ddb.describe_table(TableName=name),
                         "ResourceNotFoundException",
                         f"Requested resource not found: Table: {name} not found")
        self.assertError(lambda: self.ddb.get_item(TableName=name, Key={"pk": {"S": "x"}}),
                         "ResourceNotFoundException", "Requested resource not found")
        self.assertNotIn(name, self.ddb.list_tables()["TableNames"])
        # The name can be used again, and the new table starts empty.
        create_hash_table(self.ddb, name)
        wait_exists(self.ddb, name)
        self.assertNotIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "x"}},
                                                   ConsistentRead=True))

    def test_list_tables_sorted_and_paged(self):
        # Its own region gives it a namespace no other test writes to.
        ddb = client(self.endpoint, "eu-west-3")
        names = ["beta_1", "alpha.1", "Zeta", "beta0", "alpha", "alpha-2"]
        for name in names:
            create_hash_table(ddb, name)
        try:
            for name in names:
                wait_exists(ddb, name)
            expected = ["Zeta", "alpha", "alpha-2", "alpha.1", "beta0", "beta_1"]
            self.assertEqual(expected, sorted(names, key=lambda n: n.encode()))
            everything = ddb.list_tables()
            self.assertEqual(everything["TableNames"], expected)
            self.assertNotIn("LastEvaluatedTableName", everything)

            page = ddb.list_tables(Limit=2)
            self.assertEqual(page["TableNames"], ["Zeta", "alpha"])
            self.assertEqual(page["LastEvaluatedTableName"], "alpha")
            page = ddb.list_tables(Limit=2, ExclusiveStartTableName="alpha")
            self.assertEqual(page["TableNames"], ["alpha-2", "alpha.1"])
            self.assertEqual(page["LastEvaluatedTableName"], "alpha.1")
            page = ddb.list_tables(Limit=3, ExclusiveStartTableName="alpha.1")
            self.assertEqual(page["TableNames"], ["beta0", "beta_1"])
            self.assertNotIn("LastEvaluatedTableName", page)
            # The start name need not be a table: listing resumes after it.
            page = ddb.list_tables(ExclusiveStartTableName="alpha-")
            self.assertEqual(page["TableNames"], ["alpha-2", "alpha.1", "beta0", "beta_1"])

            paged = [n for p in ddb.get_paginator("list_tables").paginate(
                PaginationConfig={"PageSize": 4}) for n in p["TableNames"]]
            self.assertEqual(paged, expected)
            # Tables are per region: none of these is in us-east-1.
            self.assertFalse(set(names) & set(self.ddb.list_tables()["TableNames"]))
            self.assertError(lambda: self.ddb.describe_table(TableName="Zeta"),
                             "ResourceNotFoundException",
                             "Requested resource not found: Table: Zeta not found")
        finally:
            for name in names:
                try:
                    ddb.delete_table(TableName=name)
                except ClientError:
                    pass

    # ---- items --------------------------------------------------------------

    EVERY_TYPE = {
        "pk": "every-type",
        "s": "héllo wörld ✓ 𝄞",
        "n_int": Decimal("42"),
        "n_neg": Decimal("-7.25"),
        "n_big": Decimal("12345678901234567890123456789012345678"),
        "n_tiny": Decimal("1E-130"),
        "b": b"\x00\x01\xfe\xffbinary",
        "bool_t": True,
        "bool_f": False,
        "null": None,
        "m": {"inner": {"deep": "x", "n": Decimal("1")}, "list": [Decimal("1"), "two"],
              "empty": {}},
        "l": ["a", Decimal("1"), [b"x", None, False], {"k": True}, []],
        "ss": {"a", "b", "c"},
        "ns": {Decimal("1"), Decimal("2.5"), Decimal("-3")},
        "bs": {b"a", b"\x00", b"\xff"},
        "empty_s": "",
        "empty_b": b"",
        "empty_m": {},
        "empty_l": [],
    }

    def test_round_trip_every_type_resource(self):
        t = self.res.Table(self.new_table("types"))
        t.put_item(Item=self.EVERY_TYPE)
        got = t.get_item(Key={"pk": "every-type"}, ConsistentRead=True)["Item"]
        self.assertEqual(canon(got), canon(self.EVERY_TYPE))
        # Eventually consistent reads see it too (one node: no staleness).
        got = t.get_item(Key={"pk": "every-type"})["Item"]
        self.assertEqual(canon(got), canon(self.EVERY_TYPE))
        old = t.delete_item(Key={"pk": "every-type"}, ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(canon(old), canon(self.EVERY_TYPE))
        self.assertNotIn("Item", t.get_item(Key={"pk": "every-type"}, ConsistentRead=True))

    def test_round_trip_every_type_low_level(self):
        name = self.new_table("types-raw")
        item = {
            "pk": {"S": "raw"},
            "s": {"S": "x"},
            "n": {"N": "3.5"},
            "b": {"B": b"\x00\xff"},
            "t": {"BOOL": True},
            "z": {"NULL": True},
            "m": {"M": {"a": {"L": [{"N": "1"}, {"SS": ["q"]}]}, "e": {"S": ""}}},
            "l": {"L": [{"M": {}}, {"L": []}, {"B": b""}, {"NULL": True}]},
            "ss": {"SS": ["b", "a"]},
            "ns": {"NS": ["2", "1"]},
            "bs": {"BS": [b"\x02", b"\x01"]},
        }
        self.ddb.put_item(TableName=name, Item=item)
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "raw"}},
                                ConsistentRead=True)["Item"]
        for kind in ("ss", "ns", "bs"):  # set order is not part of the contract
            key = kind.upper()
            got[kind][key] = sorted(got[kind][key])
            item[kind][key] = sorted(item[kind][key])
        self.assertEqual(got, item)

    def test_number_normalisation(self):
        name = self.new_table("numbers")
        cases = {"00042": "42", "1.50": "1.5", "-0": "0", "0.0": "0", "1.0": "1",
                 "3.1400": "3.14", "1.5E2": "150", "-00.50": "-0.5",
                 "12345678901234567890123456789012345678":
                     "12345678901234567890123456789012345678",
                 "-12345678901234567890123456789012345678":
                     "-12345678901234567890123456789012345678",
                 # Large exponents come back in plain notation (which boto3's
                 # resource layer cannot read: boto/boto3#2500).
                 "1E+100": "1" + "0" * 100,
                 "9.9999999999999999999999999999999999999E+125": "9" * 38 + "0" * 88}
        item = {"pk": {"S": "n"}}
        for i, literal in enumerate(cases):
            item[f"a{i}"] = {"N": literal}
        item["set"] = {"NS": ["1.50", "00042"]}
        self.ddb.put_item(TableName=name, Item=item)
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "n"}},
                                ConsistentRead=True)["Item"]
        for i, (literal, normal) in enumerate(cases.items()):
            self.assertEqual(got[f"a{i}"], {"N": normal}, literal)
        self.assertEqual(sorted(got["set"]["NS"]), ["1.5", "42"])
        # Through the resource: Decimal('1.50') comes back as Decimal('1.5').
        t = self.res.Table(name)
        t.put_item(Item={"pk": "d", "v": Decimal("1.50"), "w": Decimal("100.000")})
        got = t.get_item(Key={"pk": "d"}, ConsistentRead=True)["Item"]
        self.assertEqual(str(got["v"]), "1.5")
        self.assertEqual(str(got["w"]), "100")

    def test_put_overwrites_whole_item(self):
        name = self.new_table("overwrite")
        self.ddb.put_item(TableName=name,
                          Item={"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"S": "2"}})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "c": {"BOOL": False}})
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "k"}}, ConsistentRead=True)
        self.assertEqual(got["Item"], {"pk": {"S": "k"}, "c": {"BOOL": False}})

    def test_return_values_all_old(self):
        name = self.new_table("retvals")
        first = {"pk": {"S": "k"}, "v": {"N": "1"}, "l": {"L": [{"S": "x"}]}}
        second = {"pk": {"S": "k"}, "v": {"N": "2"}}
        resp = self.ddb.put_item(TableName=name, Item=first, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", resp)
        resp = self.ddb.put_item(TableName=name, Item=second, ReturnValues="ALL_OLD")
        self.assertEqual(resp["Attributes"], first)
        resp = self.ddb.put_item(TableName=name, Item=second, ReturnValues="NONE")
        self.assertNotIn("Attributes", resp)
        resp = self.ddb.put_item(TableName=name, Item=second)
        self.assertNotIn("Attributes", resp)
        resp = self.ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}},
                                    ReturnValues="ALL_OLD")
        self.assertEqual(resp["Attributes"], second)
        resp = self.ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}},
                                    ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", resp)
        # Deleting a missing item is not an error.
        resp = self.ddb.delete_item(TableName=name, Key={"pk": {"S": "nope"}})
        self.assertNotIn("Attributes", resp)
        self.assertNotIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "k"}},
                                                   ConsistentRead=True))

    def test_projection_expression(self):
        name = self.new_table("proj")
        self.ddb.put_item(TableName=name, Item={
            "pk": {"S": "p"},
            "a": {"M": {"b": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]}, "c": {"N": "1"}}},
            "name": {"S": "n"},
            "extra": {"N": "5"},
        })
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "p"}}, ConsistentRead=True,
                                ProjectionExpression="#a.b[1], #n",
                                ExpressionAttributeNames={"#a": "a", "#n": "name"})
        self.assertEqual(got["Item"], {"a": {"M": {"b": {"L": [{"S": "y"}]}}},
                                       "name": {"S": "n"}})
        got = self.ddb.get_item(TableName=name, Key={"pk": {"S": "p"}},
                                ProjectionExpression="pk, extra, a.c")
        self.assertEqual(got["Item"], {"pk": {"S": "p"}, "extra": {"N": "5"},
                                       "a": {"M": {"c": {"N": "1"}}}})
        # "name" is a reserved word: it needs ExpressionAttributeNames.
        self.assertError(lambda: self.ddb.get_item(TableName=name, Key={"pk": {"S": "p"}},
                                                   ProjectionExpression="pk, name"),
                         "ValidationException",
                         "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                         "reserved keyword: name")
        t = self.res.Table(name)
        got = t.get_item(Key={"pk": "p"}, ProjectionExpression="#n",
                         ExpressionAttributeNames={"#n": "name"})["Item"]
        self.assertEqual(canon(got), canon({"name": "n"}))

    def test_consumed_capacity(self):
        name = self.new_table("capacity")
        key = {"pk": {"S": "small"}}
        resp = self.ddb.put_item(TableName=name, Item={**key, "v": {"S": "x"}},
                                 ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["TableName"], name)
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 1.0)
        resp = self.ddb.get_item(TableName=name, Key=key, ConsistentRead=True,
                                 ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["TableName"], name)
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 1.0)
        resp = self.ddb.get_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 0.5)
        resp = self.ddb.get_item(TableName=name, Key=key)
        self.assertNotIn("ConsumedCapacity", resp)
        resp = self.ddb.get_item(TableName=name, Key=key, ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", resp)

        # 5009 bytes (names + values): reads round up per 4 KB, writes per 1 KB.
        big = {"pk": {"S": "big"}, "data": {"S": "x" * 5000}}
        resp = self.ddb.put_item(TableName=name, Item=big, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 5.0)
        resp = self.ddb.get_item(TableName=name, Key={"pk": {"S": "big"}}, ConsistentRead=True,
                                 ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 2.0)
        resp = self.ddb.get_item(TableName=name, Key={"pk": {"S": "big"}},
                                 ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 1.0)
        resp = self.ddb.delete_item(TableName=name, Key={"pk": {"S": "big"}},
                                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"]["TableName"], name)
        self.assertEqual(resp["ConsumedCapacity"]["CapacityUnits"], 5.0)

    # ---- errors -------------------------------------------------------------

    def test_errors_missing_table(self):
        missing = unique("missing")
        self.assertError(lambda: self.ddb.get_item(TableName=missing, Key={"pk": {"S": "x"}}),
                         "ResourceNotFoundException", "Requested resource not found")
        self.assertError(lambda: self.ddb.put_item(TableName=missing, Item={"pk": {"S": "x"}}),
                         "ResourceNotFoundException", "Requested resource not found")
        self.assertError(lambda: self.ddb.delete_item(TableName=missing,
                                                      Key={"pk": {"S": "x"}}),
                         "ResourceNotFoundException", "Requested resource not found")
        self.assertError(lambda: self.ddb.describe_table(TableName=missing),
                         "ResourceNotFoundException",
                         f"Requested resource not found: Table: {missing} not found")
        self.assertError(lambda: self.ddb.delete_table(TableName=missing),
                         "ResourceNotFoundException",
                         f"Requested resource not found: Table: {missing} not found")

    def test_errors_item_validation(self):
        name = self.new_table("invalid")
        prefix = "One or more parameter values were invalid: "
        self.assertError(lambda: self.ddb.put_item(TableName=name, Item={"x": {"S": "1"}}),
                         "ValidationException", prefix + "Missing the key pk in the item")
        self.assertError(lambda: self.ddb.put_item(TableName=name, Item={"pk": {"N": "1"}}),
                         "ValidationException",
                         prefix + "Type mismatch for key pk expected: S actual: N")
        self.assertError(lambda: self.ddb.put_item(
            TableName=name, Item={"pk": {"S": "k"}, "s": {"SS": []}}),
            "ValidationException", prefix + "An string set  may not be empty")
        self.assertError(lambda: self.ddb.put_item(
            TableName=name, Item={"pk": {"S": "k"}, "s": {"SS": ["a", "a"]}}),
            "ValidationException", prefix + "Input collection [a, a] contains duplicates.")
        self.assertError(lambda: self.ddb.put_item(
            TableName=name, Item={"pk": {"S": "k"}, "z": {"NULL": False}}),
            "ValidationException", prefix + "Null attribute value types must have the value of true")
        self.assertError(lambda: self.ddb.get_item(TableName=name, Key={"pk": {"N": "1"}}),
                         "ValidationException",
                         "The provided key element does not match the schema")
        # Nothing was written by the rejected requests.
        self.assertEqual(self.ddb.describe_table(TableName=name)["Table"]["ItemCount"], 0)

    # ---- the wire -----------------------------------------------------------

    def test_raw_http_headers_and_crc32(self):
        """A SigV4-signed request by hand: content type, request id and CRC32."""
        body = json.dumps({"Limit": 1}).encode()
        url = self.endpoint + "/"
        request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("dummy", "dummy"),
                                "dynamodb", REGION).add_auth(request)
        prepared = request.prepare()
        http = urllib.request.Request(url, data=body, method="POST",
                                      headers=dict(prepared.headers.items()))
        with urllib.request.urlopen(http, timeout=10) as resp:
            payload = resp.read()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.headers["Content-Type"], "application/x-amz-json-1.0")
            self.assertTrue(resp.headers["x-amzn-RequestId"])
            self.assertEqual(resp.headers["x-amz-crc32"], str(zlib.crc32(payload)))
        self.assertIsInstance(json.loads(payload)["TableNames"], list)


@unittest.skipIf(EXTERNAL_ENDPOINT, "needs to start its own servers")
class RestartTests(E2ETestCase):
    """Each test starts and stops its own servers."""

    def test_data_survives_restart(self):
        workdir = os.path.join(TMP_ROOT, unique("restart"))
        data_dir = os.path.join(workdir, "data")
        server = Server(BINARY, workdir, "--data-dir", data_dir).start()
        try:
            ddb = client(server.endpoint)
            ddb.create_table(
                TableName="persist", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "sk", "AttributeType": "N"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}])
            wait_exists(ddb, "persist")
            create_hash_table(ddb, "gone")
            wait_exists(ddb, "gone")
            t = resource(server.endpoint).Table("persist")
            items = [{**SharedServerTests.EVERY_TYPE, "pk": "a", "sk": Decimal(i),
                      "tag": f"a{i}"} for i in range(5)]
            for item in items:
                t.put_item(Item=item)
            t.delete_item(Key={"pk": "a", "sk": Decimal(4)})
            ddb.delete_table(TableName="gone")
            self.assertEqual(server.stop(), 0, "SIGTERM must exit 0 within 2 s\n" + server.tail())

            server = Server(BINARY, workdir, "--data-dir", data_dir).start()
            ddb = client(server.endpoint)
            self.assertEqual(ddb.list_tables()["TableNames"], ["persist"])
            table = ddb.describe_table(TableName="persist")["Table"]
            self.assertEqual(table["TableStatus"], "ACTIVE")
            self.assertEqual(table["ItemCount"], 4)
            t = resource(server.endpoint).Table("persist")
            for item in items[:4]:
                got = t.get_item(Key={"pk": "a", "sk": item["sk"]}, ConsistentRead=True)["Item"]
                self.assertEqual(canon(got), canon(item))
            self.assertNotIn("Item", t.get_item(Key={"pk": "a", "sk": Decimal(4)},
                                                ConsistentRead=True))
            # Still writable after the restart.
            t.put_item(Item={"pk": "b", "sk": Decimal(1)})
            self.assertEqual(ddb.describe_table(TableName="persist")["Table"]["ItemCount"], 5)
            self.assertEqual(server.stop(), 0, "SIGTERM must exit 0 within 2 s\n" + server.tail())
        finally:
            server.kill()

    def test_in_memory_does_not_persist(self):
        workdir = os.path.join(TMP_ROOT, unique("memory"))
        data_dir = os.path.join(workdir, "data")
        server = Server(BINARY, workdir, "--in-memory", "--data-dir", data_dir).start()
        try:
            ddb = client(server.endpoint)
            create_hash_table(ddb, "ephemeral")
            wait_exists(ddb, "ephemeral")
            ddb.put_item(TableName="ephemeral", Item={"pk": {"S": "x"}})
            self.assertEqual(ddb.list_tables()["TableNames"], ["ephemeral"])
            self.assertEqual(server.stop(), 0, "SIGTERM must exit 0 within 2 s\n" + server.tail())

            server = Server(BINARY, workdir, "--in-memory", "--data-dir", data_dir).start()
            ddb = client(server.endpoint)
            self.assertEqual(ddb.list_tables()["TableNames"], [])
            self.assertError(lambda: ddb.describe_table(TableName="ephemeral"),
                             "ResourceNotFoundException",
                             "Requested resource not found: Table: ephemeral not found")
            self.assertEqual(server.stop(), 0, "SIGTERM must exit 0 within 2 s\n" + server.tail())
        finally:
            server.kill()


def main():
    if not EXTERNAL_ENDPOINT and not (BINARY and os.access(BINARY, os.X_OK)):
        print(f"DYNALOCAL_BIN must name the dynalocal binary (got {BINARY!r})", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    return run_tests()


if __name__ == "__main__":
    sys.exit(main())
