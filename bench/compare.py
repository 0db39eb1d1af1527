#!/usr/bin/env python3
"""Side-by-side comparison of dynalocal with dynalite and moto, in one run.

    python3 bench/compare.py [--quick] [--servers a,b,...] [--no-write]

Builds nothing: it expects build/dynalocal, build/loadgen, build/http_ceiling
and build/lmdb_ceiling (make -C build dynalocal loadgen http_ceiling
lmdb_ceiling). Installs dynalite into bench/peers/ with npm when missing;
moto_server must be on PATH (pip install 'moto[server]').

Every server runs pinned to core 0 (taskset -c 0) and the generator
(build/loadgen, one thread) to core 1. For each server: start-up time
(process start -> first successful ListTables), idle RSS/RssAnon, then the
phases put/get/update/query/batch/scan at concurrency 1, 8, 32, recording
per phase the server's CPU (from /proc/PID/stat), the generator's own CPU
(getrusage, reported by loadgen) and everybody else's CPU (/proc/stat minus
the two), so a disturbed run is visible. The HTTP ceiling (a trivial Beast
server) runs before and after the servers, each concurrency keeping the
higher pass; raw LMDB once; then the growth run (dynalocal at 10 thousand vs
1 million items). Prints the tables and writes them into bench/RESULTS.md under
"## Comparison (bench/compare.py)"; the raw figures go to
build/compare-results.json.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PEERS = os.path.join(ROOT, "bench", "peers")
DYNALITE = os.path.join(PEERS, "node_modules", ".bin", "dynalite")
RESULTS_MD = os.path.join(ROOT, "bench", "RESULTS.md")
SECTION = "## Comparison (bench/compare.py)"
PHASES = ["put", "get", "update", "query", "batch", "scan"]
CONCURRENCY = [1, 8, 32]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def list_tables_ok(port):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=b"{}",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                 "Content-Type": "application/x-amz-json-1.0",
                 # dynalite rejects a SigV4 header without a date.
                 "X-Amz-Date": "20260101T000000Z",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/"
                                  "us-east-1/dynamodb/aws4_request, "
                                  "SignedHeaders=host, Signature=0"})
    try:
        return urllib.request.urlopen(request, timeout=1).status == 200
    except OSError:
        return False


def tree_pids(pid):
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                pending += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def tree_cpu_seconds(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / CLK_TCK


def tree_memory_kib(pid):
    """VmRSS, RssAnon and VmHWM summed over the process tree (KiB)."""
    out = {"VmRSS": 0, "RssAnon": 0, "VmHWM": 0}
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    key = line.split(":", 1)[0]
                    if key in out:
                        out[key] += int(line.split()[1])
        except OSError:
            pass
    return out


def system_busy_seconds():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


class Server:
    def __init__(self, name, command, workdir=None, slow=False):
        self.name, self.command, self.workdir = name, command, workdir
        self.slow = slow
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            os.makedirs(self.workdir)
        argv = ["taskset", "-c", "0"] + [
            a.replace("{port}", str(self.port)).replace(
                "{dir}", self.workdir or "") for a in self.command]
        began = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        while not list_tables_ok(self.port):
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited: {argv}")
            if time.perf_counter() - began > 30:
                self.stop()  # never leave a server behind
                raise RuntimeError(f"{self.name} did not answer in 30 s")
            time.sleep(0.002)
        return (time.perf_counter() - began) * 1000

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def loadgen(port, phase, concurrency=1, seconds=1.0, **extra):
    argv = ["taskset", "-c", "1", os.path.join(BUILD, "loadgen"),
            "--port", str(port), "--phase", phase,
            "--concurrency", str(concurrency), "--seconds", str(seconds)]
    for key, value in extra.items():
        argv += ["--" + key.replace("_", "-"), str(value)]
    out = subprocess.run(argv, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, timeout=900)
    lines = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if not lines:
        raise RuntimeError(f"loadgen printed nothing: {argv}")
    return lines[-1]


def measured(server, phase, concurrency, seconds, **extra):
    """One loadgen run with the CPU of everyone around it."""
    pid = server.proc.pid
    cpu0, busy0, t0 = tree_cpu_seconds(pid), system_busy_seconds(), \
        time.perf_counter()
    r = loadgen(server.port, phase, concurrency, seconds, **extra)
    wall = time.perf_counter() - t0
    server_cpu = tree_cpu_seconds(pid) - cpu0
    busy = system_busy_seconds() - busy0
    r["server_cpu_pct"] = 100 * server_cpu / wall
    r["other_cpu_pct"] = max(0.0, 100 * (busy - server_cpu - r["gen_cpu_s"])
                             / wall)
    mem = tree_memory_kib(pid)
    r["rss_kib"], r["rss_anon_kib"] = mem["VmRSS"], mem["RssAnon"]
    status = f"{server.name:18} {phase:8} c={concurrency:<3} " \
             f"{r['ops_per_s']:10.1f} ops/s p50 {r['p50_ms']:8.2f} " \
             f"p99 {r['p99_ms']:8.2f} ms"
    if phase == "scan":
        status += f" {r['mb_per_s']:7.1f} MB/s"
    if phase == "batch":
        status += f" {r['items_per_s']:9.0f} items/s"
    status += f" err {r['errors']} cpu srv {r['server_cpu_pct']:.0f}% " \
              f"gen {r['gen_cpu_pct']:.0f}% other {r['other_cpu_pct']:.0f}%"
    print(status, flush=True)
    if r["errors"]:
        print(f"    first error: {r['first_error'][:300]}", flush=True)
    return r


def run_server(server, args, startup_runs):
    result = {"name": server.name, "startup_ms": [], "phases": []}
    for _ in range(startup_runs - 1):
        result["startup_ms"].append(server.start())
        server.stop()
    result["startup_ms"].append(server.start())
    try:
        time.sleep(0.3)
        mem = tree_memory_kib(server.proc.pid)
        result["idle_rss_kib"] = mem["VmRSS"]
        result["idle_rss_anon_kib"] = mem["RssAnon"]
        seconds = args.seconds / (2 if server.slow else 1)
        items = args.items // (10 if server.slow else 1)
        created = loadgen(server.port, "create")
        if created["errors"]:
            raise RuntimeError(f"CreateTable failed: {created['first_error']}")
        load = loadgen(server.port, "load", 8, items=items)
        result["load"] = load
        table_items = items if not load["errors"] else -1
        base = 0
        peak_anon = 0
        for phase in PHASES:
            for c in CONCURRENCY:
                extra = {"items": items, "base": base}
                if phase == "scan":
                    extra["expect_items"] = table_items
                r = measured(server, phase, c, seconds, **extra)
                if phase == "put":
                    base += r["ops"] + 1000
                    table_items = table_items + r["ops"] \
                        if r["errors"] == 0 and table_items >= 0 else -1
                if phase == "batch":
                    base += 25 * r["ops"] + 1000
                    table_items = table_items + r["items"] \
                        if r["errors"] == 0 and table_items >= 0 else -1
                peak_anon = max(peak_anon, r["rss_anon_kib"])
                result["phases"].append(r)
        mem = tree_memory_kib(server.proc.pid)
        result["peak_rss_kib"] = mem["VmHWM"]
        result["peak_rss_anon_kib"] = max(peak_anon, mem["RssAnon"])
        result["final_rss_anon_kib"] = mem["RssAnon"]
        result["table_items"] = table_items
    finally:
        server.stop()
    return result


def remeasure_ceiling(ceiling, args):
    """The HTTP ceiling again, after the servers. This VM's speed drifts by
    up to a third within a run (one run's ceiling fell from 94 k to 63 k
    requests/s at c32 with nothing else running), so each concurrency keeps
    the higher of the two passes: a phase is judged against the faster
    machine, never flattered by a slow moment of the ceiling."""
    server = Server("http-ceiling", [os.path.join(BUILD, "http_ceiling"),
                                     "--port", "{port}"])
    server.start()
    try:
        time.sleep(0.3)
        again = [measured(server, "ping", c, args.seconds)
                 for c in CONCURRENCY]
    finally:
        server.stop()
    ceiling["passes"].append({r["concurrency"]: r["ops_per_s"]
                              for r in again})
    for i, r in enumerate(again):
        if r["ops_per_s"] > ceiling["phases"][i]["ops_per_s"]:
            ceiling["phases"][i] = r


def run_ceiling(args, startup_runs):
    server = Server("http-ceiling", [os.path.join(BUILD, "http_ceiling"),
                                     "--port", "{port}"])
    result = {"name": server.name, "startup_ms": [], "phases": []}
    for _ in range(startup_runs - 1):
        result["startup_ms"].append(server.start())
        server.stop()
    result["startup_ms"].append(server.start())
    try:
        time.sleep(0.3)
        result["idle_rss_kib"] = tree_memory_kib(server.proc.pid)["VmRSS"]
        for c in CONCURRENCY:
            result["phases"].append(measured(server, "ping", c, args.seconds))
    finally:
        server.stop()
    result["passes"] = [{r["concurrency"]: r["ops_per_s"]
                         for r in result["phases"]}]
    out = subprocess.run(["taskset", "-c", "0",
                          os.path.join(BUILD, "lmdb_ceiling"), "--seconds",
                          str(max(0.5, args.seconds))],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, check=True)
    result["lmdb"] = {j["phase"]: j["ops_per_s"] for j in
                      map(json.loads, out.stdout.splitlines())}
    print(f"lmdb ceiling: {result['lmdb']}", flush=True)
    return result


def run_growth(args, tmp):
    """GetItem / Query / one Scan page at 10 thousand vs 1 million items."""
    server = Server("dynalocal-growth",
                    [os.path.join(BUILD, "dynalocal"), "--port", "{port}",
                     "--data-dir", "{dir}", "--log-level", "warn"],
                    workdir=os.path.join(tmp, "growth"))
    server.start()
    rows = {}
    try:
        loadgen(server.port, "create")
        done = 0
        for size in [10_000, args.growth_items]:
            began = time.perf_counter()
            load = loadgen(server.port, "load", 32, items=size, base=done)
            if load["errors"]:
                raise RuntimeError(f"growth load: {load['first_error']}")
            print(f"growth: loaded {size} items "
                  f"({(size - done) / (time.perf_counter() - began):.0f} "
                  f"items/s)", flush=True)
            done = size
            for phase in ["get", "query", "scanpage"]:
                # Unmeasured warm-up: the first touch of each LMDB page
                # after the load is a page fault, not the cost of a table
                # of this size.
                loadgen(server.port, phase, 1, args.seconds / 2, items=size)
                r = measured(server, phase, 1, args.seconds, items=size)
                rows.setdefault(phase, {})[size] = r
        rows["rss"] = tree_memory_kib(server.proc.pid)
    finally:
        server.stop()
    return rows


def servers(tmp, selected, dl=None):
    dl = dl or os.path.join(BUILD, "dynalocal")
    quiet = ["--log-level", "warn"]
    node_flags = ["--createTableMs", "0", "--deleteTableMs", "0",
                  "--updateTableMs", "0"]
    all_servers = [
        Server("dynalocal-mem", [dl, "--port", "{port}", "--in-memory"]
               + quiet),
        Server("dynalocal-fast", [dl, "--port", "{port}", "--data-dir",
                                  "{dir}"] + quiet,
               workdir=os.path.join(tmp, "fast")),
        Server("dynalocal-durable", [dl, "--port", "{port}", "--data-dir",
                                     "{dir}", "--durability", "durable"]
               + quiet, workdir=os.path.join(tmp, "durable")),
        Server("dynalite-mem", ["node", DYNALITE, "--port", "{port}"]
               + node_flags),
        Server("dynalite-path", ["node", DYNALITE, "--port", "{port}",
                                 "--path", "{dir}"] + node_flags,
               workdir=os.path.join(tmp, "dynalite")),
        Server("moto", [shutil.which("moto_server") or "moto_server",
                        "-H", "127.0.0.1", "-p", "{port}"], slow=True),
    ]
    return [s for s in all_servers if not selected or s.name in selected]


def find(result, phase, c):
    for r in result["phases"]:
        if r["phase"] == phase and r["concurrency"] == c:
            return r
    return None


def metric(r, phase):
    if r is None:
        return None
    if phase == "scan":
        return r["mb_per_s"]
    if phase == "batch":
        return r["items_per_s"]
    return r["ops_per_s"]


def per_cpu(r, phase):
    """Throughput per second of server CPU (None when not measurable)."""
    if r is None or r.get("server_cpu_pct", 0) <= 1:
        return None
    value = r["ops_per_s"] if phase in ("ping",) else metric(r, phase)
    return value / (r["server_cpu_pct"] / 100)


UNITS = {"put": "ops/s", "get": "ops/s", "update": "ops/s",
         "query": "queries/s", "batch": "items/s", "scan": "MB/s"}
NAMES = {"put": "PutItem", "get": "GetItem", "update": "UpdateItem (SET n = n + :one)",
         "query": "Query (100 items)", "batch": "BatchWriteItem (25)",
         "scan": "Scan (paginated)", "ping": "ListTables"}


def fmt(x, digits=0):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.{max(digits, 1)}f}"


def markdown(data, args):
    res = {r["name"]: r for r in data["servers"]}
    names = [r["name"] for r in data["servers"]]
    ceiling = data["ceiling"]
    out = [SECTION, ""]
    out.append(f"Run {data['date']} on {data['machine']}; command: "
               f"`{data['command']}`. Phase length {args.seconds} s "
               f"(moto: half, with a tenth of the preloaded items because it "
               f"is ~100x slower), {args.items} preloaded items of ~1 KB, "
               f"table with `pk`/`sk` strings; a scan phase runs whole "
               f"Scans of the table (split in c segments) and always "
               f"finishes the one it started. Server pinned to core 0, "
               f"loadgen to core 1. dynalocal-fast is the default mode "
               f"(data dir, fsync about once a second).")
    others = [r["other_cpu_pct"] for x in data["servers"] + [ceiling]
              for r in x["phases"]]
    if others and statistics.mean(others) > 30:
        out.append("")
        out.append(f"**Disturbed run**: other processes used "
                   f"{statistics.mean(others):.0f} % of a core on average "
                   f"during the phases (see the CPU table), so the servers "
                   f"got only part of their core and the closed-loop rates "
                   f"and latencies are pessimistic and noisy; the per-core "
                   f"table (requests per server CPU-second) is the fairer "
                   f"comparison. Repeat on an idle machine.")
    out.append("")
    out.append("### Throughput (closed loop; higher is better)")
    out.append("")
    head = "| phase | c | " + " | ".join(names) + \
        " | mem / dynalite-mem | fast / dynalite-path | " \
        "fast requests/s ÷ HTTP ceiling |"
    out.append(head)
    out.append("|" + "---|" * (len(names) + 5))
    ping = {r["concurrency"]: r["ops_per_s"] for r in ceiling["phases"]}
    for phase in PHASES:
        for c in CONCURRENCY:
            vals = {n: metric(find(res[n], phase, c), phase) for n in names}
            row = f"| {NAMES[phase]} {UNITS[phase]} | {c} | " + " | ".join(
                fmt(vals[n]) + ("" if not find(res[n], phase, c) or
                                not find(res[n], phase, c)["errors"]
                                else " (ERR)") for n in names)

            def ratio(a, b):
                if vals.get(a) and vals.get(b):
                    return f"{vals[a] / vals[b]:.1f}×"
                return "–"
            fast = find(res.get("dynalocal-fast", {"phases": []}), phase, c)
            frac = f"{100 * fast['ops_per_s'] / ping[c]:.0f} %" \
                if fast and ping.get(c) else "–"
            row += f" | {ratio('dynalocal-mem', 'dynalite-mem')} | " \
                   f"{ratio('dynalocal-fast', 'dynalite-path')} | {frac} |"
            out.append(row)
    passes = ceiling.get("passes", [])
    out.append("| HTTP ceiling (trivial Beast server) req/s, the higher of "
               "the passes before and after the servers | " +
               " / ".join(f"c{c}: {fmt(ping[c])}" +
                          (" (" + " then ".join(
                              fmt(p.get(c, p.get(str(c)))) for p in passes)
                           + ")" if len(passes) > 1 else "")
                          for c in CONCURRENCY) +
               " |" + " |" * (len(names) + 3))
    out.append("")
    out.append(f"Storage ceiling (raw LMDB, one core, one txn per put, 1 KB): "
               f"{fmt(ceiling['lmdb'].get('put_nosync'))} no-sync puts/s, "
               f"{fmt(ceiling['lmdb'].get('get'))} gets/s, "
               f"{fmt(ceiling['lmdb'].get('put_sync'))} synced puts/s.")
    out.append("")
    out.append("### Per core: requests per second of server CPU")
    out.append("")
    out.append("Closed-loop throughput divided by the server's CPU share in "
               "that phase (/proc/PID/stat): what one dedicated core would "
               "serve. On a shared machine (see \"other processes\" below) "
               "this is the figure to compare; it ignores latency added by "
               "waiting for the CPU.")
    out.append("")
    out.append("| phase (c=32) | " + " | ".join(names) +
               " | http-ceiling | fast ÷ ceiling | mem / dynalite-mem |")
    out.append("|" + "---|" * (len(names) + 4))
    ping32 = find(ceiling, "ping", 32)
    ceiling_per_cpu = per_cpu(ping32, "ping")
    for phase in PHASES:
        vals = {n: per_cpu(find(res[n], phase, 32), phase) for n in names}
        # Requests (not items) against the ceiling's requests.
        fast = per_cpu(find(res.get("dynalocal-fast", {"phases": []}), phase,
                            32), "ping")
        frac = f"{100 * fast / ceiling_per_cpu:.0f} %" \
            if fast and ceiling_per_cpu and phase != "scan" else "–"
        ratio = f"{vals['dynalocal-mem'] / vals['dynalite-mem']:.1f}×" \
            if vals.get("dynalocal-mem") and vals.get("dynalite-mem") else "–"
        out.append(f"| {NAMES[phase]} {UNITS[phase]} | " +
                   " | ".join(fmt(vals[n]) for n in names) +
                   f" | {fmt(ceiling_per_cpu) if phase != 'scan' else '–'}"
                   f" | {frac} | {ratio} |")
    out.append("")
    out.append("### Latency p50 / p99 (ms; lower is better)")
    out.append("")
    out.append("| phase | c | " + " | ".join(names) + " |")
    out.append("|" + "---|" * (len(names) + 2))
    for phase in PHASES:
        for c in CONCURRENCY:
            cells = []
            for n in names:
                r = find(res[n], phase, c)
                cells.append("–" if r is None else
                             f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}")
            out.append(f"| {NAMES[phase]} | {c} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("### CPU during the phases (% of one core; mean / max over "
               "phases) and errors")
    out.append("")
    out.append("| server | server CPU | loadgen CPU | other processes | "
               "errors (all phases) |")
    out.append("|---|---|---|---|---|")
    for n in names + ["http-ceiling"]:
        ph = res[n]["phases"] if n in res else ceiling["phases"]
        def mm(key):
            v = [r[key] for r in ph]
            return f"{statistics.mean(v):.0f} / {max(v):.0f}"
        errors = sum(r["errors"] for r in ph)
        out.append(f"| {n} | {mm('server_cpu_pct')} | {mm('gen_cpu_pct')} | "
                   f"{mm('other_cpu_pct')} | {errors} |")
    out.append("")
    out.append("### Start-up and memory")
    out.append("")
    out.append("| server | start → first ListTables (median ms) | idle RSS | "
               "idle RssAnon | peak RSS (VmHWM) | peak RssAnon | "
               "RssAnon at end |")
    out.append("|---|---|---|---|---|---|---|")
    mib = lambda k: "–" if k is None else f"{k / 1024:.1f} MiB"
    for n in names + ["http-ceiling"]:
        r = res.get(n, ceiling)
        out.append(f"| {n} | {statistics.median(r['startup_ms']):.1f} | "
                   f"{mib(r.get('idle_rss_kib'))} | "
                   f"{mib(r.get('idle_rss_anon_kib'))} | "
                   f"{mib(r.get('peak_rss_kib'))} | "
                   f"{mib(r.get('peak_rss_anon_kib'))} | "
                   f"{mib(r.get('final_rss_anon_kib'))} |")
    growth = data.get("growth")
    if growth:
        sizes = sorted(growth["get"].keys())
        out.append("")
        out.append(f"### Growth (dynalocal-fast, concurrency 1, p50 ms at "
                   f"{sizes[0]} vs {sizes[1]} items)")
        out.append("")
        out.append("| request | " + " | ".join(f"{s} items" for s in sizes) +
                   " | change | requests per server CPU-second | change |")
        out.append("|---|---|---|---|---|---|")
        for phase, label in [("get", "GetItem"), ("query", "Query 100 items"),
                             ("scanpage", "Scan page (Limit 100)")]:
            a, b = (growth[phase][s]["p50_ms"] for s in sizes)
            ca, cb = (per_cpu(growth[phase][s], "ping") for s in sizes)
            cpu = f"{fmt(ca)} / {fmt(cb)} | {100 * (cb - ca) / ca:+.0f} %" \
                if ca and cb else "– | –"
            out.append(f"| {label} | {a:.3f} | {b:.3f} | "
                       f"{100 * (b - a) / a:+.0f} % | {cpu} |")
    out.append("")
    out.append("### Issue 8 targets")
    out.append("")
    out += [f"- {t}" for t in data["targets"]]
    out.append("")
    return "\n".join(out)


def targets(data):
    res = {r["name"]: r for r in data["servers"]}
    ping32 = find(data["ceiling"], "ping", 32)["ops_per_s"]
    lines = []

    def mark(ok):
        return "**met**" if ok else "**NOT met**"

    def val(n, phase, c):
        return metric(find(res[n], phase, c), phase) if n in res else None
    ceiling_cpu = per_cpu(find(data["ceiling"], "ping", 32), "ping")

    def cpu_note(n, phase, share):
        v = per_cpu(find(res[n], phase, 32), phase)
        if not v or not ceiling_cpu:
            return ""
        return (f"; per server CPU-second {100 * v / ceiling_cpu:.0f} % "
                f"{mark(v >= share * ceiling_cpu)}")
    for n in ["dynalocal-mem", "dynalocal-fast"]:
        g = val(n, "get", 32)
        if g:
            lines.append(f"GetItem c32 ≥ 60 % of HTTP ceiling ({n}): "
                         f"{100 * g / ping32:.0f} % {mark(g >= .6 * ping32)}"
                         + cpu_note(n, "get", .6))
    for phase in ["put", "update"]:
        v = val("dynalocal-fast", phase, 32)
        if v:
            lines.append(f"{NAMES[phase]} c32 (fast durability) ≥ 40 % of "
                         f"ceiling: {100 * v / ping32:.0f} % "
                         f"{mark(v >= .4 * ping32)}"
                         + cpu_note("dynalocal-fast", phase, .4))
    for ours, peer in [("dynalocal-mem", "dynalite-mem"),
                       ("dynalocal-fast", "dynalite-path")]:
        if ours not in res or peer not in res:
            continue
        for phase in ["query", "scan", "batch"]:
            ratios = [val(ours, phase, c) / val(peer, phase, c)
                      for c in CONCURRENCY
                      if val(ours, phase, c) and val(peer, phase, c)]
            if ratios:
                lines.append(f"{NAMES[phase]} ≥ 10× dynalite ({ours} vs "
                             f"{peer}, min over c): {min(ratios):.1f}× "
                             f"{mark(min(ratios) >= 10)}")
        worse = []
        for phase in PHASES:
            for c in [8, 32]:
                a, b = find(res[ours], phase, c), find(res[peer], phase, c)
                if a and b and a["p99_ms"] >= b["p99_ms"]:
                    worse.append(f"{phase} c{c} {a['p99_ms']:.1f} ≥ "
                                 f"{b['p99_ms']:.1f} ms")
        lines.append(f"p99 below {peer} at c8/c32 on every phase ({ours}): "
                     f"{mark(not worse)}" + (f" ({'; '.join(worse)})"
                                             if worse else ""))
    for n in [x for x in res if x.startswith("dynalocal")]:
        errors = sum(r["errors"] for r in res[n]["phases"])
        lines.append(f"zero errors ({n}): {errors} {mark(errors == 0)}")
    ceiling_start = statistics.median(data["ceiling"]["startup_ms"])
    for n in [x for x in res if x.startswith("dynalocal")]:
        s = statistics.median(res[n]["startup_ms"])
        lines.append(f"start-up within 2× the trivial server ({n}): "
                     f"{s:.1f} vs {ceiling_start:.1f} ms "
                     f"{mark(s <= 2 * ceiling_start)}")
        rss = res[n]["idle_rss_kib"] / 1024
        lines.append(f"idle RSS ≤ 8 MB ({n}): {rss:.1f} MiB {mark(rss <= 8)}")
        lines.append(f"RssAnon under load ({n}): idle "
                     f"{res[n]['idle_rss_anon_kib'] / 1024:.1f} MiB, peak "
                     f"{res[n]['peak_rss_anon_kib'] / 1024:.1f} MiB, end "
                     f"{res[n]['final_rss_anon_kib'] / 1024:.1f} MiB; "
                     f"VmHWM (with mapped LMDB pages) "
                     f"{res[n]['peak_rss_kib'] / 1024:.1f} MiB")
    growth = data.get("growth")
    if growth:
        for phase in ["get", "query", "scanpage"]:
            a, b = (growth[phase][s]["p50_ms"] for s in sorted(growth[phase]))
            ca, cb = (per_cpu(growth[phase][s], "ping")
                      for s in sorted(growth[phase]))
            note = (f"; CPU per request {100 * (ca / cb - 1):+.0f} % "
                    f"{mark(ca / cb <= 1.2)}") if ca and cb else ""
            lines.append(f"{phase} p50 within 20 % from 10k to "
                         f"{max(growth[phase])} items: {100 * (b - a) / a:+.0f}"
                         f" % {mark(b <= 1.2 * a)}" + note)
    if "dynalocal-durable" in res:
        for phase in ["put", "update", "batch"]:
            v1 = val("dynalocal-durable", phase, 1)
            v32 = val("dynalocal-durable", phase, 32)
            if v1 and v32:
                lines.append(f"durable {NAMES[phase]}: c32/c1 = "
                             f"{v32 / v1:.1f}× (group commit "
                             f"{mark(v32 >= 2 * v1)}; synced LMDB puts/s "
                             f"{fmt(data['ceiling']['lmdb'].get('put_sync'))})")
    return lines


def write_results(text):
    with open(RESULTS_MD) as f:
        current = f.read()
    lines = current.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == SECTION),
                 None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("## ")), len(lines))
        lines[start:end] = text.rstrip("\n").split("\n") + [""]
    else:
        # Before the sections other tools append at the end, if any.
        at = next((i for i, l in enumerate(lines)
                   if l.strip() in ("## Docker image", "## Soak")), None)
        block = text.rstrip("\n").split("\n") + [""]
        if at is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines += block
        else:
            lines[at:at] = block
    with open(RESULTS_MD, "w") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, " \
           f"load average {os.getloadavg()[0]:.1f} at start"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="short phases and a 100k-item growth run (<2 min)")
    parser.add_argument("--servers", default="",
                        help="comma-separated subset of the servers")
    parser.add_argument("--no-write", action="store_true",
                        help="do not update bench/RESULTS.md")
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--dynalocal", metavar="BINARY",
                        help="another dynalocal binary to measure (e.g. a "
                             "prototype build); default build/dynalocal")
    parser.add_argument("--from-json", metavar="FILE",
                        help="only re-render the tables of an earlier run "
                             "(build/compare-results.json)")
    parser.add_argument("--growth-items", type=int, default=0,
                        help="items of the large growth table (default 1M, "
                             "100k with --quick)")
    args = parser.parse_args()
    args.seconds = 0.5 if args.quick else 2.0
    args.items = 5000 if args.quick else 20000
    args.growth_items = args.growth_items or (
        100_000 if args.quick else 1_000_000)
    startup_runs = 1 if args.quick else 3
    if args.from_json:
        with open(args.from_json) as f:
            data = json.load(f)
        if "growth" in data:
            for phase in ["get", "query", "scanpage"]:
                data["growth"][phase] = {int(k): v for k, v in
                                         data["growth"][phase].items()}
        args.seconds = data.get("seconds", args.seconds)
        args.items = data.get("items", args.items)
        data["targets"] = targets(data)
        text = markdown(data, args)
        print(text)
        if not args.no_write:
            write_results(text)
        return
    for binary in ["dynalocal", "loadgen", "http_ceiling", "lmdb_ceiling"]:
        if not os.access(os.path.join(BUILD, binary), os.X_OK):
            sys.exit(f"build/{binary} is missing: this script builds nothing; "
                     f"run make -C build dynalocal loadgen http_ceiling "
                     f"lmdb_ceiling")
    if not os.path.exists(DYNALITE):
        print("installing dynalite into bench/peers/ ...", flush=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", PEERS,
                        "dynalite"], check=True)
    selected = set(filter(None, args.servers.split(",")))
    if not shutil.which("moto_server") and (not selected or "moto" in selected):
        print("moto_server not found; skipping moto", flush=True)
        selected = selected or {"dynalocal-mem", "dynalocal-fast",
                                "dynalocal-durable", "dynalite-mem",
                                "dynalite-path"}
        selected.discard("moto")
    began = time.time()
    data = {"date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "command": "python3 bench/compare.py" +
            (" --quick" if args.quick else "") +
            (f" --servers {args.servers}" if args.servers else "") +
            (f" --dynalocal {args.dynalocal}" if args.dynalocal else ""),
            "servers": [], "seconds": args.seconds, "items": args.items}
    tmp = tempfile.mkdtemp(prefix="dynalocal-compare-")
    try:
        data["ceiling"] = run_ceiling(args, startup_runs)
        for server in servers(tmp, selected, args.dynalocal):
            data["servers"].append(run_server(server, args, startup_runs))
        remeasure_ceiling(data["ceiling"], args)
        if not args.no_growth:
            data["growth"] = run_growth(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    data["targets"] = targets(data)
    data["wall_seconds"] = time.time() - began
    with open(os.path.join(BUILD, "compare-results.json"), "w") as f:
        json.dump(data, f, indent=1)
    text = markdown(data, args)
    print()
    print(text)
    print(f"(run took {data['wall_seconds']:.0f} s)")
    if not args.no_write:
        write_results(text)
        print(f"updated {os.path.relpath(RESULTS_MD)}")


if __name__ == "__main__":
    main()
