#!/usr/bin/env python3
"""Soak test: N client threads of mixed operations against one dynalocal for a
given time. Reports, per minute: requests, errors, p50/p99 latency, the
server's RSS split into RssAnon (heap: where a leak shows) and RssFile (the
memory-mapped database), and the size of the database files. Not part of CI
(it runs for minutes); see README. Figures: bench/RESULTS.md, "Soak".

  python3 tests/soak/soak.py [--binary build/dynalocal] [--minutes 10]
                             [--threads 32] [--processes 4]
                             [--durability fast|durable]
  python3 tests/soak/soak.py --endpoint http://127.0.0.1:8000 --pid PID

Without --endpoint it starts the binary on a free port with a fresh data
directory (removed at the end). With --endpoint it uses a running server;
--pid lets it read that server's memory from /proc.

Exit status: 0 when no request failed and RssAnon grew by less than
--max-anon-growth-mib between the end of the first minute (after warm-up)
and the end of the run; 1 otherwise.

Every request is raw HTTP on one keep-alive connection per client thread (no
SDK: the Python client, not the server, would otherwise be the bottleneck),
and the threads are spread over --processes processes (one interpreter lock
would serialise them all). Latencies are measured in the client, so on a small
machine they include the clients' own CPU time. The key space is bounded
(--partitions x 20 sort keys), so once the table is full the data stops
growing: any steady RssAnon growth after that is a leak.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

LISTENING = re.compile(rb"dynalocal listening on http://([^\s/:]+):(\d+)")
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDSOAK/20260101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host;x-amz-target, Signature=00")
TABLE = "soak"
SORT_KEYS = 20


class Client:
    """One keep-alive connection speaking DynamoDB's JSON 1.0 protocol."""

    def __init__(self, host, port, timeout=30):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def call(self, operation, body):
        """(status, decoded JSON body); reconnects once on a dropped
        keep-alive connection (idle timeout)."""
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + operation,
                   "Authorization": AUTH}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request("POST", "/", data, headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                return resp.status, json.loads(payload) if payload else {}
            except (ConnectionError, http.client.RemoteDisconnected,
                    http.client.BadStatusLine):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def memory_kib(pid):
    """{'VmRSS': kib, 'RssAnon': kib, 'RssFile': kib} from /proc."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def data_mib(workdir):
    """The size of the database files we started the server on (0 for a
    server started elsewhere)."""
    total = 0
    if workdir:
        for root, _, files in os.walk(os.path.join(workdir, "data")):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / (1 << 20)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


class Stats:
    """One process's latencies and errors, bucketed by the minute (since
    the common start) in which each request finished."""

    def __init__(self, start):
        self.start = start
        self.lock = threading.Lock()
        self.buckets = {}  # minute -> {"lat": [...], "errors": n, "ops": {}, "samples": []}

    def record(self, operation, seconds, error=None):
        minute = int((time.monotonic() - self.start) // 60)
        with self.lock:
            b = self.buckets.setdefault(minute, {"lat": [], "errors": 0,
                                                 "ops": {}, "samples": []})
            b["lat"].append(seconds)
            b["ops"][operation] = b["ops"].get(operation, 0) + 1
            if error is not None:
                b["errors"] += 1
                if len(b["samples"]) < 5:
                    b["samples"].append(f"{operation}: {error}")

    def take(self, minute, and_later=False):
        """Removes and returns the bucket of `minute` (merged with every
        later one when `and_later`)."""
        out = {"lat": [], "errors": 0, "ops": {}, "samples": []}
        with self.lock:
            for m in sorted(self.buckets):
                if m <= minute or and_later:
                    merge(out, self.buckets.pop(m))
        return out


def merge(into, bucket):
    into["lat"].extend(bucket["lat"])
    into["errors"] += bucket["errors"]
    for op, n in bucket["ops"].items():
        into["ops"][op] = into["ops"].get(op, 0) + n
    into["samples"].extend(bucket["samples"][:20 - len(into["samples"])])


def key(rng, partitions):
    return {"pk": {"S": f"p{rng.randrange(partitions)}"},
            "sk": {"N": str(rng.randrange(SORT_KEYS))}}


def item(rng, partitions):
    k = key(rng, partitions)
    k["g"] = {"S": f"g{rng.randrange(50)}"}
    k["n"] = {"N": str(rng.randrange(1_000_000))}
    k["payload"] = {"S": "x" * rng.randrange(10, 400)}
    k["tags"] = {"SS": [f"t{rng.randrange(10)}", f"u{rng.randrange(10)}"]}
    return k


def one_operation(rng, partitions):
    """(operation name, request body) of a random mixed operation."""
    r = rng.random()
    if r < 0.22:
        return "PutItem", {"TableName": TABLE, "Item": item(rng, partitions)}
    if r < 0.44:
        return "GetItem", {"TableName": TABLE, "Key": key(rng, partitions),
                           "ConsistentRead": rng.random() < 0.5}
    if r < 0.58:
        return "UpdateItem", {
            "TableName": TABLE, "Key": key(rng, partitions),
            "UpdateExpression": "SET #c = if_not_exists(#c, :zero) + :one, g = :g",
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"},
                                          ":g": {"S": f"g{rng.randrange(50)}"}}}
    if r < 0.68:
        return "Query", {
            "TableName": TABLE,
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {
                ":p": {"S": f"p{rng.randrange(partitions)}"},
                ":a": {"N": "2"}, ":b": {"N": "15"}}}
    if r < 0.72:
        return "Query", {
            "TableName": TABLE, "IndexName": "by_g", "Limit": 25,
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": f"g{rng.randrange(50)}"}}}
    if r < 0.76:
        body = {"TableName": TABLE, "Limit": 50}
        if rng.random() < 0.8:  # a page from somewhere in the middle
            body["ExclusiveStartKey"] = key(rng, partitions)
        return "Scan", body
    if r < 0.82:
        return _batch_write(rng, partitions)
    if r < 0.88:
        keys = {json.dumps(k, sort_keys=True): k
                for k in (key(rng, partitions) for _ in range(rng.randrange(1, 50)))}
        return "BatchGetItem", {"RequestItems": {TABLE: {"Keys": list(keys.values())}}}
    if r < 0.94:
        keys = {json.dumps(k, sort_keys=True): k
                for k in (key(rng, partitions) for _ in range(rng.randrange(2, 5)))}
        actions = []
        for i, k in enumerate(keys.values()):
            if i == 0:
                actions.append({"Update": {
                    "TableName": TABLE, "Key": k,
                    "UpdateExpression": "ADD tx :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}})
            else:
                full = item(rng, partitions)
                full.update(k)
                actions.append({"Put": {"TableName": TABLE, "Item": full}})
        return "TransactWriteItems", {"TransactItems": actions}
    return "DeleteItem", {"TableName": TABLE, "Key": key(rng, partitions)}


def _batch_write(rng, partitions):
    # A batch may not name the same key twice.
    requests = {}
    for _ in range(rng.randrange(1, 26)):
        if rng.random() < 0.7:
            it = item(rng, partitions)
            requests[(it["pk"]["S"], it["sk"]["N"])] = {"PutRequest": {"Item": it}}
        else:
            k = key(rng, partitions)
            requests[(k["pk"]["S"], k["sk"]["N"])] = {"DeleteRequest": {"Key": k}}
    return "BatchWriteItem", {"RequestItems": {TABLE: list(requests.values())}}


def worker(index, host, port, deadline, stats, partitions, seed):
    rng = random.Random(seed * 1000 + index)
    client = Client(host, port)
    while time.monotonic() < deadline:
        operation, body = one_operation(rng, partitions)
        began = time.monotonic()
        error = None
        try:
            status, reply = client.call(operation, body)
            if status != 200:
                error = f"{status} {reply.get('__type')} {reply.get('message')}"
            elif operation == "BatchWriteItem" and reply.get("UnprocessedItems"):
                error = "unprocessed items"
            elif operation == "BatchGetItem" and reply.get("UnprocessedKeys"):
                error = "unprocessed keys"
        except Exception as e:  # noqa: BLE001 -- every failure is counted
            error = f"{type(e).__name__}: {e}"
        stats.record(operation, time.monotonic() - began, error)


def client_process(first, count, host, port, start, deadline, partitions, seed,
                   queue):
    """`count` worker threads; sends each finished minute's bucket to the
    parent as (minute, bucket), the last one with everything after it."""
    stats = Stats(start)
    threads = [threading.Thread(target=worker, daemon=True,
                                args=(first + i, host, port, deadline, stats,
                                      partitions, seed))
               for i in range(count)]
    for t in threads:
        t.start()
    minute = 0
    while True:
        end = start + (minute + 1) * 60
        if end >= deadline:
            for t in threads:
                t.join()
            queue.put((minute, stats.take(minute, and_later=True)))
            return
        # A little past the mark: a request that ended just before it may
        # still be recording itself.
        time.sleep(max(0, end + 0.3 - time.monotonic()))
        queue.put((minute, stats.take(minute)))
        minute += 1


def create_table(client):
    status, reply = client.call("CreateTable", {
        "TableName": TABLE,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE",
                           "NonKeyAttributes": ["n", "count"]}}],
        "BillingMode": "PAY_PER_REQUEST"})
    if status != 200 and reply.get("__type", "").endswith("ResourceInUseException"):
        return
    if status != 200:
        raise SystemExit(f"CreateTable failed: {status} {reply}")


def start_server(binary, durability, workdir):
    log_path = os.path.join(workdir, "server.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0", "--data-dir",
         os.path.join(workdir, "data"), "--durability", durability,
         "--log-level", "warn"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            match = LISTENING.search(f.read())
        if match:
            return proc, match.group(1).decode(), int(match.group(2))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start:\n" + open(log_path).read()[-2000:])


def interrupt(*_):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="build/dynalocal")
    parser.add_argument("--endpoint", help="use this running server instead")
    parser.add_argument("--pid", type=int, help="the --endpoint server's pid")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--threads", type=int, default=32,
                        help="client threads in all (the 32 clients)")
    parser.add_argument("--processes", type=int, default=4,
                        help="client processes the threads are spread over "
                             "(one Python process cannot drive 32 threads)")
    parser.add_argument("--partitions", type=int, default=2000)
    parser.add_argument("--durability", default="fast", choices=["fast", "durable"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-anon-growth-mib", type=float, default=8)
    args = parser.parse_args()

    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    proc = workdir = None
    if args.endpoint:
        match = re.match(r"https?://([^/:]+):(\d+)", args.endpoint)
        host, port = match.group(1), int(match.group(2))
        pid = args.pid
    else:
        workdir = tempfile.mkdtemp(prefix="dynalocal-soak-")
        proc, host, port = start_server(os.path.abspath(args.binary),
                                        args.durability, workdir)
        pid = proc.pid
    # SIGTERM unwinds like Ctrl-C, so the server is stopped and its
    # directory removed.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        create_table(Client(host, port))
        start = time.monotonic()
        deadline = start + args.minutes * 60
        queue = multiprocessing.Queue()
        processes = []
        per = [args.threads // args.processes + (i < args.threads % args.processes)
               for i in range(args.processes)]
        first = 0
        for count in per:
            processes.append(multiprocessing.Process(
                target=client_process, daemon=True,
                args=(first, count, host, port, start, deadline,
                      args.partitions, args.seed, queue)))
            first += count
        for p in processes:
            p.start()
        print(f"soak: {args.threads} client threads in {args.processes} processes "
              f"for {args.minutes} min against {host}:{port} (server pid {pid})",
              flush=True)
        print("minute  requests  req/s  errors  p50_ms  p99_ms  RSS_MiB  RssAnon_MiB"
              "  RssFile_MiB  data_MiB", flush=True)
        memory, totals, p99s = {}, {"lat": 0, "errors": 0, "ops": {}, "samples": []}, []
        pending = {}  # minute -> [buckets]
        minute = 0
        while True:
            end = min(start + (minute + 1) * 60, deadline)
            time.sleep(max(0, end - time.monotonic()))
            if pid:  # sampled at the minute's end: the figure the row shows
                memory[minute] = memory_kib(pid)
            while len(pending.get(minute, [])) < len(processes):
                m, bucket = queue.get(timeout=180)
                pending.setdefault(m, []).append(bucket)
            row = {"lat": [], "errors": 0, "ops": {}, "samples": []}
            for bucket in pending.pop(minute):
                merge(row, bucket)
            lat = sorted(row["lat"])
            mem = memory.get(minute, {})
            span = end - (start + minute * 60)
            print(f"{minute + 1:6d}  {len(lat):8d}  {len(lat) / max(span, 1e-9):5.0f}  "
                  f"{row['errors']:6d}  {percentile(lat, 50) * 1000:6.2f}  "
                  f"{percentile(lat, 99) * 1000:6.2f}  "
                  f"{mem.get('VmRSS', 0) / 1024:7.1f}  "
                  f"{mem.get('RssAnon', 0) / 1024:11.1f}  "
                  f"{mem.get('RssFile', 0) / 1024:11.1f}  "
                  f"{data_mib(workdir):8.1f}", flush=True)
            if len(lat) > 100:
                p99s.append(percentile(lat, 99) * 1000)
            totals["lat"] += len(lat)
            totals["errors"] += row["errors"]
            totals["samples"].extend(row["samples"])
            for op, n in row["ops"].items():
                totals["ops"][op] = totals["ops"].get(op, 0) + n
            if end >= deadline:
                break
            minute += 1
        for p in processes:
            p.join(30)

        print(f"operations: {dict(sorted(totals['ops'].items()))}")
        status, reply = Client(host, port).call("DescribeTable", {"TableName": TABLE})
        if status == 200:
            table = reply["Table"]
            print(f"table at the end: {table.get('ItemCount')} items, "
                  f"{table.get('TableSizeBytes', 0) / (1 << 20):.1f} MiB of items; "
                  f"database files {data_mib(workdir):.1f} MiB")
        for sample in totals["samples"][:20]:
            print("error:", sample)
        ok = totals["errors"] == 0
        minutes = sorted(memory)
        if len(minutes) >= 2:
            first_mem, last_mem = memory[minutes[0]], memory[minutes[-1]]
            growth = (last_mem.get("RssAnon", 0) - first_mem.get("RssAnon", 0)) / 1024
            print(f"RssAnon after minute 1: {first_mem.get('RssAnon', 0) / 1024:.1f} MiB, "
                  f"at the end: {last_mem.get('RssAnon', 0) / 1024:.1f} MiB "
                  f"(growth {growth:+.1f} MiB, limit {args.max_anon_growth_mib})")
            ok = ok and growth < args.max_anon_growth_mib
        if p99s:
            print(f"p99 per minute: min {min(p99s):.2f} ms, max {max(p99s):.2f} ms")
        print(f"soak: {totals['lat']} requests, {totals['errors']} errors: "
              f"{'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
