#!/usr/bin/env python3
"""Crash test: concurrent writers against the real binary, `kill -9` at
seeded random moments, restart on the same data directory, and check that

  * the data directory opens cleanly every time (the server starts, logs no
    error, and answers);
  * every acknowledged write is there: puts with their exact item, deletes
    gone, conditional counters at the acknowledged version (or the one that
    was in flight when the process died);
  * nothing unacknowledged is half-applied: a transaction's items (two puts,
    a delete and a conditional counter update) are all there or none;
    nothing appears that no one wrote;
  * items and their index entries agree: a Scan and a Query of the GSI and
    of the LSI return exactly the projection of the base items that carry
    the index's key.

It runs several rounds in `--durability durable` and then in `--durability
fast` (a killed process must lose nothing acknowledged there either: the
pages are in the OS's cache), then a clean SIGTERM stop and a last reopen.

  python3 tests/crash/crash_test.py [BINARY] [--rounds 5] [--fast-rounds 2]
                                    [--seed 1]

BINARY defaults to $DYNALOCAL_BIN, else build/dynalocal. Prints a line per
round and "crash: N passed, M failed" last; exits non-zero on any violation.
Only raw HTTP (no SDK): an SDK's retries would hide which attempt was
acknowledged.
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e_server  # noqa: E402  (the Server class and its cleanup at exit)

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDCRASH/20260101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host;x-amz-target, Signature=00")
TABLE = "crash"
GSI_INCLUDE = ["v", "txn"]  # the GSI's NonKeyAttributes
REQUEST_TIMEOUT_S = 30  # generous: a slow CI machine fsyncing is not a hang


class ServerGone(Exception):
    """The request could not complete because the server died (or was
    killed): its effect is unknown."""


class Failed(Exception):
    """The server answered with an error it should not have."""


class Client:
    """One keep-alive connection; never retries (a retry would blur which
    attempt the server acknowledged)."""

    def __init__(self, endpoint):
        host, port = endpoint.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port),
                                               timeout=REQUEST_TIMEOUT_S)

    def raw(self, operation, body):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + operation,
                   "Authorization": AUTH}
        try:
            self.conn.request("POST", "/", json.dumps(body).encode(), headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            # socket.timeout is an OSError too: with the server alive that is
            # a hang, which the caller reports (it knows whether it killed).
            self.conn.close()
            raise ServerGone(f"{type(e).__name__}: {e}") from e
        return resp.status, json.loads(data) if data else {}

    def call(self, operation, body):
        status, reply = self.raw(operation, body)
        if status != 200:
            raise Failed(f"{operation}: {status} {reply.get('__type')} "
                         f"{reply.get('message')}")
        return reply

    def close(self):
        self.conn.close()


def canon(item):
    return json.dumps(item, sort_keys=True)


# --------------------------------------------------------------------------
# Writers. Each owns its own partition(s), so what it acknowledged fully
# determines what must be there; `inflight` is the one request whose fate is
# unknown when the server dies. Writers persist across rounds; check() adopts
# the in-flight write's fate (found applied or not) before the next round.


class Writer:
    def __init__(self, name, seed):
        self.name = name
        self.rng = random.Random(seed)
        self.inflight = None
        self.acked_ops = 0
        # What became of the writes in flight at the kills (both must occur
        # for the test to have probed both sides of the commit).
        self.inflight_applied = 0
        self.inflight_dropped = 0

    def settle(self, applied):
        if applied:
            self.inflight_applied += 1
        else:
            self.inflight_dropped += 1

    def run(self, endpoint, stop, violations):
        client = Client(endpoint)
        try:
            while not stop.is_set():
                try:
                    self.step(client)
                    self.acked_ops += 1
                except ServerGone as e:
                    if not stop.is_set():
                        # Give the killer a moment: a connection reset seen
                        # just before stop is set is still the kill.
                        time.sleep(1)
                        if not stop.is_set():
                            violations.append(f"{self.name}: server failed "
                                              f"while alive: {e}")
                    return
                except Failed as e:
                    violations.append(f"{self.name}: {e}")
                    return
        finally:
            client.close()


def item_for(pk, sk, n, rng, with_gsi):
    item = {"pk": {"S": pk}, "sk": {"S": sk}, "v": {"N": str(n)},
            "l": {"N": str(n)}, "blob": {"S": "b" * rng.randrange(0, 600)}}
    if with_gsi:
        item["g"] = {"S": f"g{n % 5}"}
        item["gs"] = {"N": str(n)}
    return item


class PutWriter(Writer):
    """Unconditional puts of new items with unique keys; a third of them
    without the GSI key (sparse index)."""

    def __init__(self, index, seed):
        super().__init__(f"put{index}", seed)
        self.pk = f"put#{index}"
        self.acked = {}  # sk -> item
        self.n = 0

    def step(self, client):
        self.n += 1
        sk = f"{self.n:08d}"
        item = item_for(self.pk, sk, self.n, self.rng, self.n % 3 != 0)
        self.inflight = item
        client.call("PutItem", {"TableName": TABLE, "Item": item})
        self.acked[sk] = item
        self.inflight = None

    def check(self, items, errors):
        found = items.get(self.pk, {})
        for sk, item in self.acked.items():
            if sk not in found:
                errors.append(f"{self.name}: acknowledged put {sk} lost")
            elif found[sk] != item:
                errors.append(f"{self.name}: put {sk} differs: {found[sk]}")
        if self.inflight is not None:
            sk = self.inflight["sk"]["S"]
            if sk in found:
                if found[sk] != self.inflight:
                    errors.append(f"{self.name}: in-flight put {sk} half-applied: "
                                  f"{found[sk]}")
                self.acked[sk] = self.inflight
            self.settle(sk in found)
            self.inflight = None
        for sk in found:
            if sk not in self.acked:
                errors.append(f"{self.name}: item {sk} that no one wrote")


class CounterWriter(Writer):
    """Conditional updates: version += 1 only if the stored version is the
    one last acknowledged. The GSI key moves with each version (and is
    removed every fifth), so stale index entries would show."""

    def __init__(self, index, seed, counters=5):
        super().__init__(f"counter{index}", seed)
        self.pk = f"ctr#{index}"
        self.version = {f"c{k}": 0 for k in range(counters)}  # 0: absent

    @staticmethod
    def expected(pk, sk, ver):
        item = {"pk": {"S": pk}, "sk": {"S": sk}, "ver": {"N": str(ver)},
                "l": {"N": str(ver)}}
        if ver % 5 != 0:
            item["g"] = {"S": f"g{ver % 5}"}
            item["gs"] = {"N": str(ver)}
        return item

    def step(self, client):
        sk = self.rng.choice(sorted(self.version))
        old = self.version[sk]
        new = old + 1
        values = {":new": {"N": str(new)}}
        if new % 5 != 0:
            update = "SET ver = :new, l = :new, g = :g, gs = :new"
            values[":g"] = {"S": f"g{new % 5}"}
        else:
            update = "SET ver = :new, l = :new REMOVE g, gs"
        if old == 0:
            condition = "attribute_not_exists(ver)"
        else:
            condition = "ver = :old"
            values[":old"] = {"N": str(old)}
        self.inflight = (sk, new)
        client.call("UpdateItem", {
            "TableName": TABLE, "Key": {"pk": {"S": self.pk}, "sk": {"S": sk}},
            "UpdateExpression": update, "ConditionExpression": condition,
            "ExpressionAttributeValues": values})
        self.version[sk] = new
        self.inflight = None

    def check(self, items, errors):
        found = items.get(self.pk, {})
        for sk, ver in self.version.items():
            allowed = [ver]
            if self.inflight and self.inflight[0] == sk:
                allowed.append(self.inflight[1])
            item = found.get(sk)
            got = int(item["ver"]["N"]) if item else 0
            if got not in allowed:
                errors.append(f"{self.name}: {sk} at version {got}, acknowledged "
                              f"{ver}, allowed {allowed}")
                continue
            if item is not None and item != self.expected(self.pk, sk, got):
                errors.append(f"{self.name}: {sk} half-updated: {item}")
            if self.inflight and self.inflight[0] == sk:
                self.settle(got == self.inflight[1])
            self.version[sk] = got
        self.inflight = None
        for sk in found:
            if sk not in self.version:
                errors.append(f"{self.name}: item {sk} that no one wrote")


class TxWriter(Writer):
    """TransactWriteItems n: puts n#a and n#b, deletes (n-1)#b, and moves a
    conditional counter from n-1 to n. So with the counter at `last`:
    m#a exists for every m <= last, m#b only for m == last, nothing above
    last -- any other state is a torn transaction."""

    def __init__(self, index, seed):
        super().__init__(f"tx{index}", seed)
        self.pk = f"tx#{index}"
        self.counter_pk = f"txc#{index}"
        self.last = 0
        self.items = {}  # sk -> item, for every acknowledged transaction
        self.pending = {}  # the in-flight transaction's puts

    def step(self, client):
        n = self.last + 1
        puts = {}
        for suffix in ("a", "b"):
            sk = f"{n:06d}#{suffix}"
            item = item_for(self.pk, sk, n, self.rng, suffix == "a")
            item["txn"] = {"N": str(n)}
            puts[sk] = item
        actions = [{"Put": {"TableName": TABLE, "Item": it}} for it in puts.values()]
        if n > 1:
            actions.append({"Delete": {"TableName": TABLE, "Key": {
                "pk": {"S": self.pk}, "sk": {"S": f"{n - 1:06d}#b"}}}})
        update = {"TableName": TABLE,
                  "Key": {"pk": {"S": self.counter_pk}, "sk": {"S": "c"}},
                  "UpdateExpression": "SET txn = :n",
                  "ExpressionAttributeValues": {":n": {"N": str(n)}}}
        if n == 1:
            update["ConditionExpression"] = "attribute_not_exists(txn)"
        else:
            update["ConditionExpression"] = "txn = :prev"
            update["ExpressionAttributeValues"][":prev"] = {"N": str(n - 1)}
        actions.append({"Update": update})
        self.inflight = n
        self.pending = puts
        client.call("TransactWriteItems", {"TransactItems": actions})
        self.apply(n)

    def apply(self, n):
        self.items.update(self.pending)
        self.items.pop(f"{n - 1:06d}#b", None)
        self.last = n
        self.inflight = None
        self.pending = {}

    def check(self, items, errors):
        counter = items.get(self.counter_pk, {}).get("c")
        got = int(counter["txn"]["N"]) if counter else 0
        allowed = [self.last] + ([self.inflight] if self.inflight else [])
        if got not in allowed:
            errors.append(f"{self.name}: transaction counter {got}, acknowledged "
                          f"{self.last}, allowed {allowed}")
            return
        if self.inflight:
            self.settle(got == self.inflight)
        if got != self.last:
            self.apply(got)
        self.inflight = None
        self.pending = {}
        found = items.get(self.pk, {})
        if found != self.items:
            missing = sorted(set(self.items) - set(found))
            extra = sorted(set(found) - set(self.items))
            changed = sorted(k for k in set(found) & set(self.items)
                             if found[k] != self.items[k])
            errors.append(f"{self.name}: torn transaction at counter {got}: "
                          f"missing {missing[:5]}, extra {extra[:5]}, "
                          f"changed {changed[:5]}")


class DeleteWriter(Writer):
    """Puts items and deletes earlier ones (each acknowledged delete must
    stay deleted)."""

    def __init__(self, index, seed):
        super().__init__(f"delete{index}", seed)
        self.pk = f"del#{index}"
        self.present = {}  # sk -> item
        self.n = 0

    def step(self, client):
        if self.present and self.rng.random() < 0.5:
            sk = self.rng.choice(sorted(self.present))
            self.inflight = ("delete", sk, None)
            client.call("DeleteItem", {"TableName": TABLE, "Key": {
                "pk": {"S": self.pk}, "sk": {"S": sk}}})
            del self.present[sk]
        else:
            self.n += 1
            sk = f"{self.n:08d}"
            item = item_for(self.pk, sk, self.n, self.rng, True)
            self.inflight = ("put", sk, item)
            client.call("PutItem", {"TableName": TABLE, "Item": item})
            self.present[sk] = item
        self.inflight = None

    def check(self, items, errors):
        found = items.get(self.pk, {})
        expected = dict(self.present)
        alternative = None
        if self.inflight:
            kind, sk, item = self.inflight
            alternative = dict(expected)
            if kind == "put":
                alternative[sk] = item
            else:
                alternative.pop(sk, None)
        if found == expected:
            if alternative is not None and alternative != expected:
                self.settle(False)
        elif alternative is not None and found == alternative:
            self.present = alternative
            self.settle(True)
        else:
            errors.append(f"{self.name}: expected {sorted(expected)[-5:]} "
                          f"(or with the in-flight {self.inflight[:2] if self.inflight else None}), "
                          f"found {sorted(found)[-5:]} "
                          f"({len(found)} items, {len(expected)} expected)")
        self.inflight = None


# --------------------------------------------------------------------------
# The table and the consistency checks.

def create_table(client):
    client.call("CreateTable", {
        "TableName": TABLE,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "gs", "AttributeType": "N"},
            {"AttributeName": "l", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "gsi",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "gs", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE",
                           "NonKeyAttributes": GSI_INCLUDE}}],
        "LocalSecondaryIndexes": [{
            "IndexName": "lsi",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        "BillingMode": "PAY_PER_REQUEST"})


def paginate(client, operation, body):
    items = []
    while True:
        reply = client.call(operation, body)
        items.extend(reply.get("Items", []))
        if "LastEvaluatedKey" not in reply:
            return items
        body = dict(body, ExclusiveStartKey=reply["LastEvaluatedKey"])


def multiset(items):
    counts = {}
    for item in items:
        key = canon(item)
        counts[key] = counts.get(key, 0) + 1
    return counts


def compare(what, got, want, errors):
    got_set, want_set = multiset(got), multiset(want)
    if got_set == want_set:
        return
    extra = [k for k in got_set if got_set[k] != want_set.get(k, 0)]
    missing = [k for k in want_set if want_set[k] != got_set.get(k, 0)]
    errors.append(f"{what}: {len(got)} entries, {len(want)} expected; "
                  f"wrong {len(extra)} (e.g. {extra[:1]}), "
                  f"missing {len(missing)} (e.g. {missing[:1]})")


def check_indexes(client, base, errors):
    """Every index, by Scan and by Query, equals the projection of the base
    items that have its key attributes."""
    gsi_want = [{k: v for k, v in it.items()
                 if k in ("pk", "sk", "g", "gs") or k in GSI_INCLUDE}
                for it in base if "g" in it and "gs" in it]
    lsi_want = [it for it in base if "l" in it]
    compare("GSI scan", paginate(client, "Scan", {"TableName": TABLE,
                                                  "IndexName": "gsi", "Limit": 500}),
            gsi_want, errors)
    compare("LSI scan", paginate(client, "Scan", {"TableName": TABLE,
                                                  "IndexName": "lsi", "Limit": 500}),
            lsi_want, errors)
    for g in sorted({it["g"]["S"] for it in gsi_want}):
        got = paginate(client, "Query", {
            "TableName": TABLE, "IndexName": "gsi", "Limit": 300,
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": g}}})
        want = [it for it in gsi_want if it["g"]["S"] == g]
        compare(f"GSI query g={g}", got, want, errors)
        order = [int(it["gs"]["N"]) for it in got]
        if order != sorted(order):
            errors.append(f"GSI query g={g}: not in gs order")
    for pk in sorted({it["pk"]["S"] for it in lsi_want}):
        got = paginate(client, "Query", {
            "TableName": TABLE, "IndexName": "lsi", "Limit": 300,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": pk}}})
        want = [it for it in lsi_want if it["pk"]["S"] == pk]
        compare(f"LSI query pk={pk}", got, want, errors)
    return len(gsi_want), len(lsi_want)


def verify(server, writers, errors):
    """Reads everything back and runs every check; returns a summary."""
    client = Client(server.endpoint)
    try:
        status, reply = client.raw("DescribeTable", {"TableName": TABLE})
        if status != 200 or reply["Table"]["TableStatus"] != "ACTIVE":
            errors.append(f"DescribeTable after restart: {status} {reply}")
            return "no table"
        base = paginate(client, "Scan", {"TableName": TABLE, "Limit": 700,
                                         "ConsistentRead": True})
        items = {}
        for it in base:
            items.setdefault(it["pk"]["S"], {})[it["sk"]["S"]] = it
        known = {w.pk for w in writers} | {w.counter_pk for w in writers
                                           if isinstance(w, TxWriter)}
        for pk in items:
            if pk not in known:
                errors.append(f"partition {pk} that no one wrote")
        for w in writers:
            w.check(items, errors)
        # Query of the base table per partition must agree with the Scan.
        for pk, by_sk in items.items():
            got = paginate(client, "Query", {
                "TableName": TABLE, "ConsistentRead": True, "Limit": 400,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": pk}}})
            if [canon(x) for x in got] != [canon(by_sk[s]) for s in sorted(by_sk)]:
                errors.append(f"base query pk={pk} disagrees with the scan")
        gsi, lsi = check_indexes(client, base, errors)
        return f"{len(base)} items, {gsi} GSI and {lsi} LSI entries"
    except (ServerGone, Failed) as e:
        errors.append(f"verification failed: {e}")
        return "unverified"
    finally:
        client.close()


def log_errors(server, offset):
    """Error lines the server logged since `offset` (its log's size at
    start)."""
    with open(server.log_path, "rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    return [line for line in text.splitlines()
            if "[error]" in line or "[critical]" in line]


def start(binary, workdir, data_dir, durability):
    offset = os.path.getsize(os.path.join(workdir, "server.log")) \
        if os.path.exists(os.path.join(workdir, "server.log")) else 0
    server = e2e_server.Server(binary, workdir, "--data-dir", data_dir,
                               "--durability", durability)
    server.start()
    return server, offset


def run_mode(binary, durability, rounds, rng, writers, results):
    workdir = e2e_server.workdir(f"crash-{durability}")
    data_dir = os.path.join(workdir, "data")
    server, offset = start(binary, workdir, data_dir, durability)
    create_table(Client(server.endpoint))
    for round_number in range(1, rounds + 1):
        violations = []
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(server.endpoint, stop, violations))
                   for w in writers]
        before = sum(w.acked_ops for w in writers)
        for t in threads:
            t.start()
        delay = rng.uniform(0.3, 4.0)
        time.sleep(delay)
        server.kill()  # SIGKILL to the process group
        stop.set()
        for t in threads:
            t.join(REQUEST_TIMEOUT_S + 5)
        if any(t.is_alive() for t in threads):
            violations.append("a writer did not notice the kill")
        acked = sum(w.acked_ops for w in writers) - before
        inflight = sum(1 for w in writers if w.inflight)
        settled_before = sum(w.inflight_applied for w in writers)

        errors = list(violations)
        try:
            server, offset = start(binary, workdir, data_dir, durability)
        except RuntimeError as e:
            errors.append(f"data directory did not reopen: {e}")
            results.append((f"{durability} round {round_number}", errors))
            print(f"{durability} round {round_number}: FAILED to reopen")
            return
        summary = verify(server, writers, errors)
        errors += log_errors(server, offset)
        results.append((f"{durability} round {round_number}", errors))
        applied = sum(w.inflight_applied for w in writers) - settled_before
        print(f"{durability} round {round_number}: killed after {delay:.2f} s, "
              f"{acked} writes acknowledged, {inflight} in flight ({applied} of "
              f"them found applied); reopened: {summary}: "
              f"{'ok' if not errors else 'VIOLATIONS'}", flush=True)
        for e in errors[:20]:
            print("  !!", e, flush=True)
        if errors:  # later rounds would only repeat the damage
            server.kill()
            return

    # A clean stop, and one more reopen.
    code = server.stop()
    errors = [] if code == 0 else [f"SIGTERM stop exited with {code}"]
    server, offset = start(binary, workdir, data_dir, durability)
    summary = verify(server, writers, errors)
    errors += log_errors(server, offset)
    server.stop()
    IN_FLIGHT["applied"] += sum(w.inflight_applied for w in writers)
    IN_FLIGHT["dropped"] += sum(w.inflight_dropped for w in writers)
    results.append((f"{durability} clean restart", errors))
    print(f"{durability} clean stop and reopen: {summary}: "
          f"{'ok' if not errors else 'VIOLATIONS'}", flush=True)
    for e in errors[:20]:
        print("  !!", e, flush=True)


IN_FLIGHT = {"applied": 0, "dropped": 0}  # over every mode, for the summary


def make_writers(seed):
    rng = random.Random(seed)
    seeds = lambda: rng.randrange(1 << 30)  # noqa: E731
    return [PutWriter(0, seeds()), PutWriter(1, seeds()),
            CounterWriter(0, seeds()), CounterWriter(1, seeds()),
            TxWriter(0, seeds()), TxWriter(1, seeds()),
            DeleteWriter(0, seeds())]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default=e2e_server.binary())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fast-rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    rng = random.Random(args.seed)
    results = []
    began = time.monotonic()
    try:
        if args.rounds > 0:
            run_mode(binary, "durable", args.rounds, rng, make_writers(args.seed),
                     results)
        if args.fast_rounds > 0:
            run_mode(binary, "fast", args.fast_rounds, rng,
                     make_writers(args.seed + 1), results)
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    except Exception as e:  # noqa: BLE001 -- reported as a failure, not a trace only
        import traceback
        traceback.print_exc()
        results.append(("setup", [f"{type(e).__name__}: {e}"]))
    failed = sum(1 for _, errors in results if errors)
    print(f"writes in flight at the kills: {IN_FLIGHT['applied']} found applied, "
          f"{IN_FLIGHT['dropped']} not")
    print(f"crash test took {time.monotonic() - began:.1f} s")
    print(f"crash: {len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main())
