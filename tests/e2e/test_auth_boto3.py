#!/usr/bin/env python3
"""End-to-end SigV4 verification: the real dynalocal binary started with
`--require-auth --credentials ...`, driven by boto3 with matching and
mismatching credentials.

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_auth_boto3.py

Every expectation is DynamoDB's behaviour: a wrong secret gets
InvalidSignatureException, an unknown access key UnrecognizedClientException,
an unsigned request MissingAuthenticationTokenException, a stale signature
"Signature expired"; each access key has tables of its own. The server log
(at debug level, with the request log on) must hold no secret and no
signature. Ends with "N passed, M failed".
"""

import datetime
import hashlib
import hmac
import json
import sys
import unittest
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from e2e_server import Server, binary, run_tests, workdir

ALICE = ("AKIDALICE", "alice-secret-0123456789")
BOB = ("AKIDBOB", "bob-secret-9876543210")
MISMATCH = ("The request signature we calculated does not match the signature "
            "you provided. Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details.")

SERVER = {}


def setUpModule():
    server = Server(binary(), workdir("auth"), "--in-memory", "--require-auth",
                    "--credentials", f"{ALICE[0]}:{ALICE[1]},{BOB[0]}:{BOB[1]}",
                    "--request-log", "--log-level", "debug").start()
    SERVER["server"] = server
    SERVER["endpoint"] = server.endpoint


def tearDownModule():
    server = SERVER.pop("server", None)
    if server is not None:
        server.stop()


def client(key, secret, region="us-east-1", **config):
    return boto3.client(
        "dynamodb", endpoint_url=SERVER["endpoint"], region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config))


def create_table(ddb, name):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST")


def error_of(call):
    """(code, message, HTTP status) of the ClientError `call` raises."""
    try:
        call()
    except ClientError as error:
        return (error.response["Error"]["Code"], error.response["Error"]["Message"],
                error.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError("the call succeeded")


def signed_post(key, secret, body, when, target="DynamoDB_20120810.ListTables",
                region="us-east-1"):
    """A request signed by hand (an independent SigV4 signer, not botocore's)
    at time `when`; returns (status, parsed JSON body)."""
    host = urlsplit(SERVER["endpoint"]).netloc
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    headers = {"content-type": "application/x-amz-json-1.0", "host": host,
               "x-amz-date": amz_date, "x-amz-target": target}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([
        "POST", "/", "",
        "".join(f"{name}:{headers[name]}\n" for name in sorted(headers)),
        signed, hashlib.sha256(body.encode()).hexdigest()])
    scope = f"{date}/{region}/dynamodb/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, "dynamodb", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        SERVER["endpoint"] + "/", data=body.encode(), method="POST",
        headers={**headers, "Authorization":
                 f"AWS4-HMAC-SHA256 Credential={key}/{scope}, "
                 f"SignedHeaders={signed}, Signature={signature}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class AuthTest(unittest.TestCase):
    def test_matching_credentials_work(self):
        ddb = client(*ALICE)
        create_table(ddb, "alice_items")
        ddb.put_item(TableName="alice_items",
                     Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        self.assertEqual(
            ddb.get_item(TableName="alice_items", Key={"pk": {"S": "a"}})["Item"],
            {"pk": {"S": "a"}, "n": {"N": "1"}})
        # The resource layer (another code path in boto3) signs the same way.
        table = boto3.resource(
            "dynamodb", endpoint_url=SERVER["endpoint"], region_name="us-east-1",
            aws_access_key_id=ALICE[0], aws_secret_access_key=ALICE[1],
            config=Config(retries={"max_attempts": 1})).Table("alice_items")
        table.put_item(Item={"pk": "b", "s": "text with  spaces"})
        self.assertEqual(table.get_item(Key={"pk": "b"})["Item"]["s"],
                         "text with  spaces")

    def test_wrong_secret_is_an_invalid_signature(self):
        code, message, status = error_of(
            lambda: client(ALICE[0], "not-alices-secret").list_tables())
        self.assertEqual((code, status), ("InvalidSignatureException", 400))
        self.assertTrue(message.startswith(MISMATCH), message)
        self.assertIn("The Canonical String for this request should have been",
                      message)
        self.assertNotIn(ALICE[1], message)

    def test_unknown_access_key(self):
        code, message, status = error_of(
            lambda: client("AKIDMALLORY", ALICE[1]).list_tables())
        self.assertEqual((code, message, status),
                         ("UnrecognizedClientException",
                          "The security token included in the request is invalid.",
                          400))

    def test_unsigned_request(self):
        code, message, status = error_of(
            lambda: client(None, None, signature_version=UNSIGNED).list_tables())
        self.assertEqual((code, message, status),
                         ("MissingAuthenticationTokenException",
                          "Request is missing Authentication Token", 400))

    def test_each_access_key_sees_its_own_tables(self):
        alice, bob = client(*ALICE), client(*BOB)
        create_table(alice, "shared_name")
        self.assertIn("shared_name", alice.list_tables()["TableNames"])
        self.assertNotIn("shared_name", bob.list_tables()["TableNames"])
        code, _, _ = error_of(lambda: bob.describe_table(TableName="shared_name"))
        self.assertEqual(code, "ResourceNotFoundException")
        # Bob may have a table of the same name; it is another table.
        create_table(bob, "shared_name")
        bob.put_item(TableName="shared_name", Item={"pk": {"S": "bob"}})
        self.assertEqual(bob.scan(TableName="shared_name")["Count"], 1)
        self.assertEqual(alice.scan(TableName="shared_name")["Count"], 0)
        # And Alice in another region is yet another namespace.
        self.assertNotIn("shared_name",
                         client(*ALICE, region="eu-west-1").list_tables()["TableNames"])

    def test_independent_signer_and_clock_skew(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        status, body = signed_post(*BOB, "{}", now)
        self.assertEqual(status, 200, body)
        self.assertIn("TableNames", body)
        stale = now - datetime.timedelta(minutes=20)
        status, body = signed_post(*BOB, "{}", stale)
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        self.assertRegex(body["message"],
                         r"^Signature expired: " + stale.strftime("%Y%m%dT%H%M%SZ")
                         + r" is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 15 min\.\)$")
        ahead = now + datetime.timedelta(minutes=20)
        status, body = signed_post(*BOB, "{}", ahead)
        self.assertEqual(status, 400)
        self.assertTrue(body["message"].startswith("Signature not yet current: "),
                        body)

    def test_zz_log_holds_no_secrets(self):
        # Runs last (alphabetically): by now every kind of request was made.
        client(*ALICE).list_tables()
        error_of(lambda: client(ALICE[0], "not-alices-secret").list_tables())
        log = open(SERVER["server"].log_path, encoding="utf-8", errors="replace").read()
        self.assertIn("ListTables", log)  # the request log is on
        for secret in (ALICE[1], BOB[1], "not-alices-secret", "Signature=",
                       "AWS4-HMAC-SHA256 Credential"):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    sys.exit(run_tests())
