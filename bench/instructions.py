#!/usr/bin/env python3
"""User-space instructions per request, per phase, under callgrind.

    python3 bench/instructions.py [--ops N] [--phases put:32,update:32,...]
                                  BINARY [BINARY...]

Closed-loop throughput on a shared VM moves by +-30 % between runs of the
same binary, which hides the 5-20 % that one optimisation is worth. The
number of instructions the server executes per request does not move: this
runs each binary under valgrind's callgrind (in memory), loads the
benchmark table with build/loadgen, warms each phase up, then counts only
the phase's own requests (callgrind_control turns instrumentation on and
off around them). Kernel work (the TCP stack, page copies) is not counted,
and neither is time spent waiting for memory: pair it with
bench/compare.py, which measures time.
"""
import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOADGEN = os.path.join(HERE, "..", "build", "loadgen")
ITEMS = 2000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadgen(port, phase, concurrency=1, ops=None):
    cmd = [LOADGEN, "--port", str(port), "--phase", phase, "--concurrency",
           str(concurrency), "--items", str(ITEMS), "--seconds", "300"]
    if ops is not None:
        cmd += ["--max-ops", str(ops)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, check=True).stdout
    if '"errors":0' not in out.replace(" ", ""):
        sys.exit(f"loadgen {phase} reported errors:\n{out}")


def measure(binary, phases, ops):
    workdir = tempfile.mkdtemp(prefix="dl-instr-")
    port = free_port()
    out_file = os.path.join(workdir, "cg.out")
    # A small map: valgrind cannot reserve dynalocal's default 64 GiB.
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         f"--callgrind-out-file={out_file}", binary, "--in-memory",
         "--max-db-size", "2048", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        loadgen(port, "create")
        loadgen(port, "load")
        result = {}
        for phase, concurrency in phases:
            # A batch writes 25 items, a scan reads the whole table.
            n = {"batch": max(1, ops // 25),
                 "scan": max(2, ops // 500)}.get(phase, ops)
            loadgen(port, phase, concurrency, max(1, n // 5))  # warm-up
            for f in glob.glob(out_file + "*"):
                os.remove(f)
            subprocess.run(["callgrind_control", "-i", "on", str(server.pid)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            loadgen(port, phase, concurrency, n)
            subprocess.run(["callgrind_control", "-i", "off", str(server.pid)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            subprocess.run(["callgrind_control", "-d", str(server.pid)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            total = 0
            for f in glob.glob(out_file + "*"):
                with open(f) as dump:
                    for line in dump:
                        if line.startswith("totals:"):
                            total += int(line.split()[1])
            result[(phase, concurrency)] = total / n
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--ops", type=int, default=2000,
                        help="requests counted per phase (batch: a 25th "
                             "of it, scan: a 500th)")
    parser.add_argument("--phases",
                        default="put:32,get:32,update:32,query:8,batch:8",
                        help="phase:concurrency list; scan is left out by "
                             "default: a full Scan of the table takes "
                             "minutes under callgrind")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (Debian package valgrind)")
    phases = []
    for spec in args.phases.split(","):
        phase, _, c = spec.partition(":")
        phases.append((phase, int(c or 1)))
    results = [measure(b, phases, args.ops) for b in args.binaries]
    names = [os.path.basename(b) for b in args.binaries]
    print("| phase | c | " + " | ".join(names) +
          (" | change |" if len(names) > 1 else " |"))
    print("|---|---|" + "---|" * len(names) + ("---|" if len(names) > 1 else ""))
    for key in phases:
        row = [f"{r[key]:,.0f}".replace(",", " ") for r in results]
        change = ""
        if len(results) > 1:
            change = f" {100 * (results[-1][key] / results[0][key] - 1):+.1f} % |"
        print(f"| {key[0]} | {key[1]} | " + " | ".join(row) + " |" + change)
    print("\n(user-space instructions per request; batch: per 25-item "
          "request; scan: per full Scan of the table)")


if __name__ == "__main__":
    main()
