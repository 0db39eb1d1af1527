"""The dynalocal process for end-to-end tests: start it on a free port, find
its endpoint, stop it; every server and work directory is removed at exit,
also when a test fails or the run is interrupted (SIGTERM unwinds like Ctrl-C).
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

LISTENING = re.compile(rb"dynalocal listening on (http://[^\s/]+)")
START_TIMEOUT_S = 15
STOP_TIMEOUT_S = 2

# Never send loopback traffic through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


class Server:
    """One dynalocal process; its output goes to a log file in its work dir."""

    live = []  # every started server, killed at exit whatever happens

    def __init__(self, binary, workdir, *args):
        self.binary = binary
        self.workdir = workdir
        self.args = list(args)
        self.proc = None
        self.endpoint = None
        self.log_path = os.path.join(workdir, "server.log")

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        log = open(self.log_path, "ab")
        offset = log.tell()
        self.proc = subprocess.Popen(
            [self.binary, "--host", "127.0.0.1", "--port", "0", *self.args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True)
        log.close()
        Server.live.append(self)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                match = LISTENING.search(f.read())
            if match:
                self.endpoint = match.group(1).decode()
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"dynalocal exited with {self.proc.returncode} "
                                   f"before listening:\n{self.tail()}")
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"dynalocal did not print its listening line within "
                           f"{START_TIMEOUT_S} s:\n{self.tail()}")

    def stop(self):
        """SIGTERM; returns the exit code, or None if it did not exit in time."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        finally:
            if self in Server.live:
                Server.live.remove(self)

    def kill(self):
        """SIGKILL to the server's process group (anything it started goes too)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self in Server.live:
            Server.live.remove(self)

    def tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return "(no log)"


TMP_ROOT = tempfile.mkdtemp(prefix="dynalocal-e2e-")


def binary():
    """The binary under test: $DYNALOCAL_BIN, else build/dynalocal."""
    return os.path.abspath(os.environ.get("DYNALOCAL_BIN") or "build/dynalocal")


def workdir(name):
    """A fresh directory under this run's temporary root."""
    return tempfile.mkdtemp(prefix=name + "-", dir=TMP_ROOT)


def start_in_memory(name="server", *args):
    """A started `--in-memory` server in its own work directory."""
    return Server(binary(), workdir(name), "--in-memory", *args).start()


def _cleanup():
    for server in list(Server.live):
        server.kill()
    shutil.rmtree(TMP_ROOT, ignore_errors=True)


atexit.register(_cleanup)


def _on_sigterm(*_):
    # Unwinds like Ctrl-C, which unittest lets through (it records SystemExit
    # as a test error and goes on), so the cleanup runs and the run stops.
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, _on_sigterm)



def _failed_tests(result):
    """Failed test methods: a method with several failing subtests counts once."""
    return len({getattr(test, "test_case", test).id()
                for test, _ in result.failures + result.errors})


def run_tests():
    """Runs the calling script's unittest cases (command-line arguments as
    unittest takes them), stops every server, prints "N passed, M failed"
    and returns the exit code."""
    import sys
    import unittest

    try:
        program = unittest.main(argv=[sys.argv[0], *sys.argv[1:]], exit=False,
                                testRunner=unittest.TextTestRunner(stream=sys.stdout,
                                                                   verbosity=2))
        result = program.result
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    finally:
        _cleanup()
    failed = _failed_tests(result) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    line = f"{passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and result.testsRun > 0 else 1


# One in-memory server shared by the test cases of a suite: run_suite starts
# it and puts its endpoint here before any test runs.
SERVER = {}


def clients(endpoint, region="us-east-1"):
    """A boto3 client and resource for `endpoint`: dummy credentials, no
    retries (a retry would hide the first answer)."""
    import boto3
    from botocore.config import Config

    kwargs = dict(endpoint_url=endpoint, region_name=region,
                  aws_access_key_id="AKIDE2E", aws_secret_access_key="secret",
                  config=Config(retries={"max_attempts": 1}))
    return boto3.client("dynamodb", **kwargs), boto3.resource("dynamodb", **kwargs)


def run_suite(name, *test_cases):
    """Starts one in-memory server, runs `test_cases` against it, stops it,
    prints "N passed, M failed" and returns the exit code."""
    import unittest

    server = start_in_memory(name)
    SERVER["endpoint"] = server.endpoint
    try:
        suite = unittest.TestSuite(
            unittest.defaultTestLoader.loadTestsFromTestCase(case) for case in test_cases)
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        server.stop()
        SERVER.clear()
    failed = _failed_tests(result)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    return 1 if failed or result.testsRun == 0 else 0
