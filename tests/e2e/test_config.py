"""Configuration end to end: DynamoDB Local's command line, environment
variables, the config file, CORS, the request log and --health-check, each
with the real binary."""

import http.client
import os
import subprocess
import sys
import time
import unittest
from urllib.parse import urlparse

from e2e_server import Server, binary, clients, run_tests, workdir

import boto3
from botocore.config import Config


def client_for(endpoint, key):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}))


def create_table(ddb, name):
    ddb.create_table(TableName=name,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


def start(name, *args, env=None):
    """A server started with `args` (after the harness's --host/--port) and
    extra environment `env`."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        return Server(binary(), workdir(name), *args).start()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def raw_request(endpoint, method, headers, body=b""):
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables",
               "Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/"
                                "dynamodb/aws4_request, SignedHeaders=host, Signature=00"}


class DynamoDbLocalCommandLine(unittest.TestCase):
    def test_shared_db_with_db_path_as_in_compose_files(self):
        server = start("ddblocal-shared", "-jar", "DynamoDBLocal.jar",
                       "-Djava.library.path=./DynamoDBLocal_lib", "-sharedDb",
                       "-dbPath", "./data", "-port", "0", "-optimizeDbBeforeStartup",
                       "-disableTelemetry")
        try:
            create_table(client_for(server.endpoint, "KEY1"), "shared")
            # -sharedDb: every access key and region sees the same tables.
            other = boto3.client("dynamodb", endpoint_url=server.endpoint,
                                 region_name="eu-west-1", aws_access_key_id="KEY2",
                                 aws_secret_access_key="x")
            self.assertEqual(other.list_tables()["TableNames"], ["shared"])
            # -dbPath ./data is relative to the working directory.
            self.assertTrue(os.path.isdir(os.path.join(server.workdir, "data")))
            self.assertTrue(os.listdir(os.path.join(server.workdir, "data")))
        finally:
            self.assertEqual(server.stop(), 0)

    def test_without_shared_db_tables_are_per_access_key(self):
        server = start("ddblocal-perkey", "-jar", "DynamoDBLocal.jar", "-inMemory",
                       "-port", "0")
        try:
            create_table(client_for(server.endpoint, "KEY1"), "mine")
            self.assertEqual(client_for(server.endpoint, "KEY1").list_tables()["TableNames"],
                             ["mine"])
            self.assertEqual(client_for(server.endpoint, "KEY2").list_tables()["TableNames"],
                             [])
        finally:
            server.stop()

    def test_unknown_flag_fails_with_a_message(self):
        run = subprocess.run([binary(), "-inmemory"], capture_output=True, text=True,
                             timeout=10)
        self.assertEqual(run.returncode, 2)
        self.assertIn("unknown option '-inmemory'", run.stderr)

    def test_help(self):
        run = subprocess.run([binary(), "-help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(run.returncode, 0)
        for text in ("--data-dir", "env: DYNALOCAL_DATA_DIR", "-dbPath VALUE", "-sharedDb"):
            self.assertIn(text, run.stdout)


class EnvironmentAndFile(unittest.TestCase):
    def test_environment_sets_options(self):
        server = start("env", env={"DYNALOCAL_IN_MEMORY": "true",
                                   "DYNALOCAL_SHARED_DB": "yes",
                                   "DYNALOCAL_REQUEST_LOG": "1"})
        try:
            create_table(client_for(server.endpoint, "KEY1"), "envtable")
            other = boto3.client("dynamodb", endpoint_url=server.endpoint,
                                 region_name="ap-south-1", aws_access_key_id="K",
                                 aws_secret_access_key="x")
            self.assertEqual(other.list_tables()["TableNames"], ["envtable"])
            # In memory: nothing was written to the work directory.
            self.assertFalse(os.path.exists(os.path.join(server.workdir, "data")))
        finally:
            server.stop()
        self.assertIn("CreateTable envtable -> 200", server.tail())

    def test_config_file_and_precedence(self):
        directory = workdir("conf")
        path = os.path.join(directory, "test.conf")
        with open(path, "w") as f:
            f.write("# test\nin-memory = true\nrequest-log = true\nlog-level = warn\n")
        # The environment overrides the file's log level back to info, so the
        # request log's info lines appear.
        server = start("conf", "--config", path, env={"DYNALOCAL_LOG_LEVEL": "info"})
        try:
            ddb = client_for(server.endpoint, "K")
            with self.assertRaises(ddb.exceptions.ResourceNotFoundException):
                ddb.get_item(TableName="missing", Key={"pk": {"S": "a"}})
        finally:
            server.stop()
        log = server.tail()
        self.assertRegex(log, r"[A-Z0-9]{52} GetItem missing -> 400 "
                              r"ResourceNotFoundException [0-9.]+ ms")

    def test_bad_environment_value_stops_the_server(self):
        env = dict(os.environ, DYNALOCAL_PORT="eighty")
        run = subprocess.run([binary()], capture_output=True, text=True, timeout=10, env=env)
        self.assertEqual(run.returncode, 2)
        self.assertIn("DYNALOCAL_PORT: invalid value 'eighty' for --port", run.stderr)


class Cors(unittest.TestCase):
    def test_default_allows_any_origin(self):
        server = start("cors-any", "--in-memory")
        try:
            status, headers, body = raw_request(
                server.endpoint, "OPTIONS",
                {"Origin": "http://app.test", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-amz-target,authorization"})
            self.assertEqual(status, 200)
            self.assertEqual(headers["access-control-allow-origin"], "*")
            self.assertEqual(headers["access-control-allow-headers"],
                             "content-type,x-amz-target,authorization")
            self.assertIn("POST", headers["access-control-allow-methods"])
            status, headers, body = raw_request(
                server.endpoint, "POST", dict(LIST_TABLES, Origin="http://app.test"), b"{}")
            self.assertEqual((status, body), (200, b'{"TableNames":[]}'))
            self.assertEqual(headers["access-control-allow-origin"], "*")
            self.assertIn("x-amz-crc32", headers["access-control-expose-headers"])
        finally:
            server.stop()

    def test_origin_list_and_off(self):
        server = start("cors-list", "--in-memory", "-cors", "http://a.test,http://b.test")
        try:
            _, headers, _ = raw_request(server.endpoint, "POST",
                                        dict(LIST_TABLES, Origin="http://b.test"), b"{}")
            self.assertEqual(headers["access-control-allow-origin"], "http://b.test")
            self.assertEqual(headers["vary"], "Origin")
            _, headers, _ = raw_request(server.endpoint, "POST",
                                        dict(LIST_TABLES, Origin="http://evil.test"), b"{}")
            self.assertNotIn("access-control-allow-origin", headers)
        finally:
            server.stop()
        server = start("cors-off", "--in-memory", "--cors", "off")
        try:
            status, headers, _ = raw_request(
                server.endpoint, "OPTIONS",
                {"Origin": "http://app.test", "Access-Control-Request-Method": "POST"})
            self.assertNotIn("access-control-allow-origin", headers)
            self.assertEqual(status, 404)  # DynamoDB's answer to other methods
        finally:
            server.stop()


class HealthCheck(unittest.TestCase):
    def test_health_check_exit_codes(self):
        server = start("health", "--in-memory")
        port = str(urlparse(server.endpoint).port)
        try:
            run = subprocess.run([binary(), "--health-check", "--port", port],
                                 capture_output=True, text=True, timeout=10)
            self.assertEqual((run.returncode, run.stdout), (0, "healthy\n"))
        finally:
            server.stop()
        run = subprocess.run([binary(), "--health-check", "--port", port],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual((run.returncode, run.stdout), (1, "unhealthy\n"))


class DelayTransientStatuses(unittest.TestCase):
    def test_gsi_stays_creating_then_deleting_for_a_while(self):
        server = start("delay", "--in-memory", "-delayTransientStatuses")
        try:
            ddb = client_for(server.endpoint, "K")
            create_table(ddb, "delayed")
            ddb.update_table(
                TableName="delayed",
                AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {
                    "IndexName": "byG",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}}])
            started = time.monotonic()
            index = ddb.describe_table(TableName="delayed")["Table"]["GlobalSecondaryIndexes"][0]
            self.assertEqual(index["IndexStatus"], "CREATING")
            with self.assertRaises(ddb.exceptions.ClientError) as raised:
                ddb.query(TableName="delayed", IndexName="byG", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "x"}})
            self.assertEqual(raised.exception.response["Error"]["Message"],
                             "Cannot read from backfilling global secondary index: byG")
            while time.monotonic() - started < 10:
                index = ddb.describe_table(TableName="delayed")["Table"]["GlobalSecondaryIndexes"][0]
                if index["IndexStatus"] == "ACTIVE":
                    break
                time.sleep(0.2)
            self.assertEqual(index["IndexStatus"], "ACTIVE")
            self.assertGreaterEqual(time.monotonic() - started, 1.5)

            # A deleted GSI is listed DELETING for a while, then disappears;
            # it cannot be read meanwhile.
            answer = ddb.update_table(
                TableName="delayed",
                GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
            started = time.monotonic()
            listed = answer["TableDescription"]["GlobalSecondaryIndexes"]
            self.assertEqual([(i["IndexName"], i["IndexStatus"]) for i in listed],
                             [("byG", "DELETING")])
            described = ddb.describe_table(TableName="delayed")["Table"]
            self.assertEqual(described["GlobalSecondaryIndexes"][0]["IndexStatus"], "DELETING")
            with self.assertRaises(ddb.exceptions.ClientError) as raised:
                ddb.query(TableName="delayed", IndexName="byG", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "x"}})
            self.assertEqual(raised.exception.response["Error"]["Code"], "ValidationException")
            while time.monotonic() - started < 10:
                described = ddb.describe_table(TableName="delayed")["Table"]
                if "GlobalSecondaryIndexes" not in described:
                    break
                time.sleep(0.2)
            self.assertNotIn("GlobalSecondaryIndexes", described)
            self.assertGreaterEqual(time.monotonic() - started, 1.5)
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(run_tests())
