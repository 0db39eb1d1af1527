#!/usr/bin/env python3
"""Start-up time and idle memory, side by side with a peer in one run.

    python3 bench/startup.py build/dynalocal [--runs 10] [--peer moto]

For each server: start the process, poll ListTables over HTTP until it
answers 200, and record process start -> first successful ListTables; then
let it idle for 0.3 s and read its resident memory (VmRSS, the whole process
tree for the peer). Prints medians and the ratio peer/dynalocal.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def list_tables(port):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=b"{}",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                 "Content-Type": "application/x-amz-json-1.0",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20240101/"
                                  "us-east-1/dynamodb/aws4_request, "
                                  "SignedHeaders=host, Signature=0"})
    return urllib.request.urlopen(request, timeout=1).status == 200


def tree_rss_kib(pid):
    """VmRSS of pid and its descendants."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as f:
                pending += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return total


def measure(command_for_port, runs):
    startups, memories = [], []
    for _ in range(runs):
        workdir = tempfile.mkdtemp(prefix="dynalocal-bench-")
        port = free_port()
        started = time.perf_counter()
        proc = subprocess.Popen(command_for_port(port, workdir), cwd=workdir,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            deadline = started + 30
            while time.perf_counter() < deadline:
                try:
                    if list_tables(port):
                        break
                except OSError:
                    time.sleep(0.0005)
            else:
                raise RuntimeError("server did not answer within 30 s")
            startups.append((time.perf_counter() - started) * 1000)
            time.sleep(0.3)
            memories.append(tree_rss_kib(proc.pid) / 1024)
        finally:
            os.killpg(proc.pid, 9)
            proc.wait()
            shutil.rmtree(workdir, ignore_errors=True)
    return statistics.median(startups), statistics.median(memories)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--peer", default="moto", choices=["moto", "none"])
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    ours = measure(lambda port, d: [binary, "--port", str(port), "--data-dir",
                                    d + "/data", "--log-level", "warn"],
                   args.runs)
    print(f"dynalocal   start->first ListTables {ours[0]:8.1f} ms   "
          f"idle RSS {ours[1]:6.1f} MiB")
    if args.peer == "moto" and shutil.which("moto_server"):
        peer = measure(lambda port, d: ["moto_server", "-p", str(port)],
                       max(3, args.runs // 2))
        print(f"moto_server start->first ListTables {peer[0]:8.1f} ms   "
              f"idle RSS {peer[1]:6.1f} MiB")
        print(f"ratio moto/dynalocal: start-up {peer[0] / ours[0]:.0f}x, "
              f"memory {peer[1] / ours[1]:.1f}x")


if __name__ == "__main__":
    main()
