#!/usr/bin/env python3
"""End-to-end hostile and malformed input over raw sockets: invalid UTF-8,
deep nesting, huge items and bodies, truncated and mis-framed bodies, header
floods, slow clients, thousands of idle connections, pipelining.

    DYNALOCAL_BIN=build/dynalocal tests/e2e/test_hostile.py

Starts the binary with `--port 0 --in-memory` and always kills it. Every
test asserts the exact answer (status, and DynamoDB's __type and message
where there is a body) and then that the server still serves a new
connection. Ends with "N passed, M failed".
"""

import json
import resource
import socket
import sys
import threading
import time
import unittest

from e2e_server import SERVER, run_tests, start_in_memory

TABLE = "hostile"
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDHOSTILE/20260101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host;x-amz-target, Signature=00")
SERIALIZATION = "com.amazon.coral.service#SerializationException"
VALIDATION = "com.amazon.coral.validate#ValidationException"
NESTING_MESSAGE = ("Nesting Levels have exceeded supported limits: Attributes "
                   "in the item have nested levels beyond supported limit")
ITEM_SIZE_MESSAGE = "Item size has exceeded the maximum allowed size"
BODY_LIMIT = 16 * 1024 * 1024  # the server's default --body-limit
HEADER_LIMIT = 16 * 1024


def address():
    host, port = SERVER["endpoint"].removeprefix("http://").split(":")
    return host, int(port)


def request(operation, body, extra_headers=b"", content_length=None):
    """The bytes of one POST; `body` is bytes, or anything json.dumps takes."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    length = len(body) if content_length is None else content_length
    head = (f"POST / HTTP/1.1\r\nHost: {'%s:%d' % address()}\r\n"
            f"Content-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.{operation}\r\n"
            f"Authorization: {AUTH}\r\nContent-Length: {length}\r\n").encode()
    return head + extra_headers + b"\r\n" + body


class Conn:
    """A raw connection that reads responses one at a time, keeping what
    arrived beyond one response for the next (pipelining)."""

    def __init__(self, timeout=10):
        self.sock = socket.create_connection(address(), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(1 << 16)
        self.buf += data
        return bool(data)

    def response(self):
        """(status, headers with lower-case names, body bytes), or None when
        the server closed the connection before sending anything."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                if self.buf:
                    raise AssertionError(f"truncated response head: {self.buf!r}")
                return None
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if not self._fill():
                raise AssertionError("truncated response body")
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed_by_server(self, timeout=10):
        """True once the server closed (EOF or reset) with nothing more to
        read; False if data arrived instead."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(1 << 16)
                if not data:
                    return not self.buf
                self.buf += data
                return False
        except ConnectionResetError:
            return not self.buf

    def close(self):
        self.sock.close()


def call(operation, body, **kwargs):
    """One request on a fresh connection: (status, headers, decoded body)."""
    conn = Conn()
    try:
        conn.send(request(operation, body, **kwargs))
        status, headers, data = conn.response()
        return status, headers, json.loads(data) if data else None
    finally:
        conn.close()


def nested(levels, leaf='{"S":"x"}'):
    """An AttributeValue `levels` containers deep (alternating L and M),
    built as text: json.dumps would recurse too deep."""
    opens, closes = [], []
    for i in range(levels):
        if i % 2:
            opens.append('{"M":{"a":')
            closes.append('}}')
        else:
            opens.append('{"L":[')
            closes.append(']}')
    return "".join(opens) + leaf + "".join(reversed(closes))


class HostileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        status, _, body = call("CreateTable", {
            "TableName": TABLE,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"})
        assert status == 200, body

    def tearDown(self):
        self.assert_alive()

    def assert_alive(self):
        """A new connection is answered, quickly."""
        began = time.monotonic()
        status, _, body = call("DescribeTable", {"TableName": TABLE})
        self.assertEqual(status, 200, body)
        self.assertLess(time.monotonic() - began, 2.0)

    def assert_error(self, answer, status, error_type, message=None):
        got_status, headers, body = answer
        self.assertEqual(got_status, status, body)
        self.assertEqual(body.get("__type"), error_type, body)
        if message is None:
            self.assertNotIn("message", body)
        else:
            self.assertEqual(body.get("message"), message)
        self.assertTrue(headers.get("x-amzn-requestid"))

    def put_raw(self, item_json):
        return call("PutItem", ('{"TableName":"%s","Item":%s}' % (TABLE, item_json)).encode())

    def scan_is_valid_utf8(self):
        conn = Conn()
        try:
            conn.send(request("Scan", {"TableName": TABLE}))
            status, _, body = conn.response()
            self.assertEqual(status, 200)
            return json.loads(body.decode("utf-8"))  # raises on invalid UTF-8
        finally:
            conn.close()

    # --- invalid UTF-8 --------------------------------------------------
    # DynamoDB's JSON parser rejects malformed UTF-8 with a bare
    # SerializationException (no message), as it does any unparsable body;
    # storing the bytes would make every later read of the item unparsable
    # for the SDKs.

    def test_invalid_utf8_is_a_serialization_error_and_nothing_is_stored(self):
        bad = {
            "lone continuation byte": b"a\x80b",
            "0xff": b"\xff\xfe",
            "truncated sequence": b"ab\xe4\xb8",
            "overlong slash": b"\xc0\xaf",
            "UTF-8 encoded surrogate": b"\xed\xa0\x80",
            "beyond U+10FFFF": b"\xf4\x90\x80\x80",
        }
        for what, raw in bad.items():
            with self.subTest(what, where="string value"):
                body = (b'{"TableName":"hostile","Item":{"pk":{"S":"utf8-'
                        + raw + b'"}}}')
                self.assert_error(call("PutItem", body), 400, SERIALIZATION)
            with self.subTest(what, where="attribute name"):
                body = (b'{"TableName":"hostile","Item":{"pk":{"S":"utf8"},"n'
                        + raw + b'":{"S":"v"}}}')
                self.assert_error(call("PutItem", body), 400, SERIALIZATION)
            with self.subTest(what, where="member name"):
                body = b'{"TableName' + raw + b'":"hostile"}'
                self.assert_error(call("DescribeTable", body), 400, SERIALIZATION)
        items = self.scan_is_valid_utf8()["Items"]
        self.assertEqual([i for i in items if i["pk"]["S"].startswith("utf8")], [])

    def test_valid_multibyte_utf8_round_trips(self):
        text = "é人😀\u0800\U0010ffff"
        status, _, body = call("PutItem", {"TableName": TABLE, "Item": {
            "pk": {"S": "multibyte"}, text: {"S": text}}})
        self.assertEqual(status, 200, body)
        status, _, body = call("GetItem", {"TableName": TABLE,
                                           "Key": {"pk": {"S": "multibyte"}}})
        self.assertEqual(status, 200)
        self.assertEqual(body["Item"][text], {"S": text})

    # --- nesting --------------------------------------------------------

    def test_deeply_nested_json_is_a_serialization_error(self):
        levels = 100_000
        for what, text in (("arrays", "[" * levels + "]" * levels),
                           ("unclosed objects", '{"a":' * levels),
                           ("unclosed arrays", "[" * levels)):
            with self.subTest(what):
                self.assert_error(call("PutItem", text.encode()), 400, SERIALIZATION)
        # Well-formed, so parsed (iteratively: no stack to exhaust), then
        # judged as a request: an unknown member is ignored.
        text = '{"a":' * levels + "1" + "}" * levels
        self.assert_error(call("PutItem", text.encode()), 400, VALIDATION,
                          "1 validation error detected: Value null at 'tableName' "
                          "failed to satisfy constraint: Member must not be null")

    def test_nested_attribute_values_beyond_32_levels(self):
        status, _, body = self.put_raw('{"pk":{"S":"nest20"},"d":%s}' % nested(20))
        self.assertEqual(status, 200, body)
        status, _, body = call("GetItem", {"TableName": TABLE,
                                           "Key": {"pk": {"S": "nest20"}}})
        self.assertEqual(json.dumps(body["Item"]["d"], separators=(",", ":")),
                         nested(20))
        for levels in (40, 100_000):
            with self.subTest(levels=levels):
                self.assert_error(
                    self.put_raw('{"pk":{"S":"nest"},"d":%s}' % nested(levels)),
                    400, VALIDATION, NESTING_MESSAGE)
        # In an update's values too.
        self.assert_error(call("UpdateItem", (
            '{"TableName":"hostile","Key":{"pk":{"S":"nest"}},'
            '"UpdateExpression":"SET d = :d",'
            '"ExpressionAttributeValues":{":d":%s}}' % nested(100_000)).encode()),
            400, VALIDATION, "ExpressionAttributeValues contains invalid value: "
            + NESTING_MESSAGE + " for key :d")

    # --- size -----------------------------------------------------------

    def test_huge_numbers_of_attributes(self):
        count = 20_000  # ~200 KB: within the 400 KB item limit
        item = {"pk": {"S": "wide"}}
        item.update({f"a{i}": {"N": str(i)} for i in range(count)})
        status, _, body = call("PutItem", {"TableName": TABLE, "Item": item})
        self.assertEqual(status, 200, body)
        status, _, body = call("GetItem", {"TableName": TABLE,
                                           "Key": {"pk": {"S": "wide"}}})
        self.assertEqual(status, 200)
        self.assertEqual(len(body["Item"]), count + 1)
        self.assertEqual(body["Item"]["a19999"], {"N": "19999"})
        # 700 000 attributes (~11 MB): too large an item, answered fast.
        parts = ['"a%d":{"N":"1"}' % i for i in range(700_000)]
        text = '{"pk":{"S":"wider"},%s}' % ",".join(parts)
        began = time.monotonic()
        self.assert_error(self.put_raw(text), 400, VALIDATION, ITEM_SIZE_MESSAGE)
        self.assertLess(time.monotonic() - began, 20)

    def test_body_of_exactly_16_mib_is_read_and_answered(self):
        prefix = b'{"TableName":"hostile","Item":{"pk":{"S":"big"},"s":{"S":"'
        suffix = b'"}}}'
        body = prefix + b"x" * (BODY_LIMIT - len(prefix) - len(suffix)) + suffix
        self.assertEqual(len(body), BODY_LIMIT)
        self.assert_error(call("PutItem", body), 400, VALIDATION, ITEM_SIZE_MESSAGE)

    def test_body_over_16_mib_is_413_then_close(self):
        conn = Conn(timeout=30)
        try:
            body = b"x" * (BODY_LIMIT + 1)
            conn.send(request("PutItem", b"", content_length=len(body)))
            try:
                conn.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and stop reading first
            status, headers, data = conn.response()
            self.assertEqual(status, 413)
            self.assertEqual(data, b"")
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(conn.closed_by_server())
        finally:
            conn.close()

    def test_many_clients_announcing_16_mib_bodies(self):
        """What a client announces must not become resident memory: 500
        clients announcing 16 MiB bodies and sending 1 KiB must not cost
        8 GiB (the parser may reserve the announced size; untouched pages
        cost nothing)."""
        before = server_memory_mib()
        socks = []
        try:
            for _ in range(500):
                s = socket.create_connection(address(), timeout=10)
                s.sendall(request("PutItem", b"", content_length=BODY_LIMIT)
                          + b"x" * 1024)
                socks.append(s)
            time.sleep(1)
            self.assert_alive()
            self.assertLess(server_memory_mib() - before, 200)
        finally:
            for s in socks:
                s.close()

    # --- framing --------------------------------------------------------

    def test_truncated_body_then_close_gets_no_answer(self):
        conn = Conn()
        try:
            conn.send(request("PutItem", b'{"TableName":', content_length=1000))
            conn.sock.shutdown(socket.SHUT_WR)
            self.assertTrue(conn.closed_by_server())
        finally:
            conn.close()

    def test_content_length_smaller_than_the_body(self):
        # The first 5 bytes are a (malformed) request; the rest is read as
        # the next pipelined request, which is not HTTP: 400, then close.
        conn = Conn()
        try:
            conn.send(request("DescribeTable", b'{"TableName":"hostile"}',
                              content_length=5))
            status, headers, body = conn.response()
            self.assertEqual(status, 400)
            self.assertEqual(json.loads(body), {"__type": SERIALIZATION})
            self.assertNotEqual(headers.get("connection"), "close")
            status, headers, body = conn.response()
            self.assertEqual((status, body), (400, b""))
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(conn.closed_by_server())
        finally:
            conn.close()

    def test_invalid_content_length_is_400_then_close(self):
        for value in (b"abc", b"-1", b"1, 2", b"99999999999999999999999"):
            with self.subTest(value=value):
                conn = Conn()
                try:
                    conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                              + value + b"\r\n\r\n{}")
                    status, headers, body = conn.response()
                    self.assertEqual((status, body), (400, b""))
                    self.assertEqual(headers.get("connection"), "close")
                    self.assertTrue(conn.closed_by_server())
                finally:
                    conn.close()

    def test_malformed_framing_is_400_then_close(self):
        """Input that cannot be framed as HTTP/1.1 (or could be framed two
        ways, as in request smuggling) gets a bare 400 and the connection is
        closed: nothing after it can be trusted."""
        head = request("ListTables", b"{}").split(b"Content-Length")[0]
        cases = {
            "Content-Length and chunked": head + b"Content-Length: 2\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "two Content-Lengths": head + b"Content-Length: 2\r\n"
            b"Content-Length: 3\r\n\r\n{}x",
            "bare LF line ends": head.replace(b"\r\n", b"\n")
            + b"Content-Length: 2\n\n{}",
            "NUL in a header": head + b"X-Bad: a\x00b\r\nContent-Length: 2\r\n\r\n{}",
            "TLS handshake": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200),
            "100 KB target": head.replace(b"POST / ", b"POST /" + b"a" * 100_000 + b" ")
            + b"Content-Length: 2\r\n\r\n{}",
        }
        for what, data in cases.items():
            with self.subTest(what):
                conn = Conn()
                try:
                    conn.send(data)
                    status, headers, body = conn.response()
                    self.assertEqual((status, body), (400, b""))
                    self.assertEqual(headers.get("connection"), "close")
                    self.assertTrue(conn.closed_by_server())
                finally:
                    conn.close()

    def test_chunked_bodies(self):
        head = request("ListTables", b"{}").split(b"Content-Length")[0]
        conn = Conn()
        try:
            conn.send(head + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n")
            status, _, body = conn.response()
            self.assertEqual(status, 200, body)
            self.assertIn(TABLE, json.loads(body)["TableNames"])
            # A chunk announcing more than the body limit: 413, then close.
            conn.send(head + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"FFFFFFFFFF\r\n" + b"x" * 100)
            status, headers, body = conn.response()
            self.assertEqual((status, body), (413, b""))
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(conn.closed_by_server())
        finally:
            conn.close()

    # --- headers --------------------------------------------------------

    def header_answer(self, extra_headers):
        conn = Conn()
        try:
            try:
                conn.send(request("DescribeTable", {"TableName": TABLE},
                                  extra_headers=extra_headers))
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = conn.response()
            closed = answer[0] != 200 and conn.closed_by_server()
            return answer, closed
        finally:
            conn.close()

    def test_header_floods_are_400_then_close(self):
        floods = {
            "10000 small headers": b"".join(b"X-Flood-%d: y\r\n" % i
                                            for i in range(10_000)),
            "one 1 MB header": b"X-Huge: " + b"h" * (1 << 20) + b"\r\n",
            "just over the limit": b"X-Big: " + b"h" * HEADER_LIMIT + b"\r\n",
        }
        for what, headers in floods.items():
            with self.subTest(what):
                (status, response_headers, body), closed = self.header_answer(headers)
                self.assertEqual((status, body), (400, b""))
                self.assertEqual(response_headers.get("connection"), "close")
                self.assertTrue(closed)

    def test_many_headers_within_the_limit_are_fine(self):
        headers = b"".join(b"X-Many-%d: %d\r\n" % (i, i) for i in range(300))
        self.assertLess(len(headers), HEADER_LIMIT - 1024)
        (status, _, body), closed = self.header_answer(headers)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["Table"]["TableName"], TABLE)

    # --- slow and idle clients ------------------------------------------

    def test_slowloris_does_not_block_other_clients(self):
        """200 clients each send one byte a second; meanwhile ordinary
        requests are answered as fast as ever."""
        clients = 200
        payload = request("DescribeTable", {"TableName": TABLE})
        slow = [socket.create_connection(address(), timeout=5) for _ in range(clients)]
        stop = threading.Event()
        sent = [0]

        def trickle():
            position = 0
            while not stop.is_set() and position < len(payload) - 1:
                for s in slow:
                    try:
                        s.send(payload[position:position + 1])
                        sent[0] += 1
                    except OSError:
                        pass
                position += 1
                stop.wait(1.0)

        thread = threading.Thread(target=trickle)
        thread.start()
        try:
            time.sleep(1.5)  # every slow client is mid-request
            latencies = []
            conn = Conn()
            try:
                for _ in range(30):
                    began = time.monotonic()
                    conn.send(request("GetItem", {"TableName": TABLE,
                                                  "Key": {"pk": {"S": "none"}}}))
                    status, _, body = conn.response()
                    latencies.append(time.monotonic() - began)
                    self.assertEqual((status, json.loads(body)), (200, {}))
                    time.sleep(0.1)
            finally:
                conn.close()
            for _ in range(10):  # and new connections too
                began = time.monotonic()
                self.assertEqual(call("ListTables", {})[0], 200)
                latencies.append(time.monotonic() - began)
        finally:
            stop.set()
            thread.join()
            for s in slow:
                s.close()
        self.assertGreaterEqual(sent[0], clients * 3)
        # Typically ~1 ms. A server blocked by the slow clients would take
        # seconds (they trickle for as long as the test measures); the bound
        # leaves room for a loaded CI machine.
        self.assertLess(max(latencies), 2.0, sorted(latencies)[-5:])
        self.assertLess(sorted(latencies)[len(latencies) // 2], 0.2)

    def test_thousands_of_idle_connections(self):
        wanted = 3000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < wanted + 200:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
            except (ValueError, OSError):
                pass
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < wanted + 200:
            self.skipTest(f"this client may open only {soft} files")
        idle = []
        try:
            for _ in range(wanted):
                idle.append(socket.create_connection(address(), timeout=10))
            # The server accepted them all (a connection it could not accept
            # would wait in the backlog; a request on it would then hang).
            for index in (0, wanted // 2, wanted - 1):
                s = idle[index]
                s.sendall(request("ListTables", {}))
                s.settimeout(5)
                self.assertTrue(s.recv(1 << 16).startswith(b"HTTP/1.1 200 "),
                                f"idle connection {index}")
            began = time.monotonic()
            status, _, body = call("DescribeTable", {"TableName": TABLE})
            self.assertEqual(status, 200, body)
            self.assertLess(time.monotonic() - began, 1.0)
        finally:
            for s in idle:
                s.close()

    # --- pipelining -----------------------------------------------------

    def test_pipelined_requests_are_answered_in_order(self):
        batch = b""
        for i in range(5):
            batch += request("PutItem", {"TableName": TABLE, "Item": {
                "pk": {"S": "pipe"}, "v": {"N": str(i)}}})
            batch += request("GetItem", {"TableName": TABLE, "ConsistentRead": True,
                                         "Key": {"pk": {"S": "pipe"}}})
        conn = Conn()
        try:
            conn.send(batch)  # ten requests in one write
            ids = set()
            for i in range(5):
                status, headers, body = conn.response()
                self.assertEqual((status, json.loads(body)), (200, {}))
                ids.add(headers["x-amzn-requestid"])
                status, headers, body = conn.response()
                self.assertEqual(status, 200)
                self.assertEqual(json.loads(body)["Item"]["v"], {"N": str(i)})
                ids.add(headers["x-amzn-requestid"])
            self.assertEqual(len(ids), 10)
            # A malformed request in the middle of a pipeline is answered in
            # its place and the connection goes on.
            conn.send(request("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "pipe"}}})
                      + request("GetItem", b"{not json")
                      + request("ListTables", {}))
            self.assertEqual(conn.response()[0], 200)
            status, _, body = conn.response()
            self.assertEqual((status, json.loads(body)), (400, {"__type": SERIALIZATION}))
            status, _, body = conn.response()
            self.assertEqual(status, 200)
            self.assertIn(TABLE, json.loads(body)["TableNames"])
        finally:
            conn.close()


def server_memory_mib():
    """The server's resident anonymous memory, in MiB."""
    with open(f"/proc/{SERVER['pid']}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon")


def main():
    server = start_in_memory("hostile")
    SERVER["endpoint"] = server.endpoint
    SERVER["pid"] = server.proc.pid
    return run_tests()  # stops the server however the tests end


if __name__ == "__main__":
    sys.exit(main())
