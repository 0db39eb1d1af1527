#!/usr/bin/env bash
# Runs the end-to-end suites against a dynalocal binary; each suite starts (and
# always stops) its own server on a free port with a temporary data directory.
#
#   tests/e2e/run.sh BINARY [SUITE ...]
#
# Suites: every tests/e2e/test_NAME.py is the suite NAME (test_boto3.py is
# "boto3"), plus "awscli" (test_awscli.sh) and "js" (js/test_sdk.mjs). Default:
# all of them. Each must end with "N passed, M failed" (node: its summary).
# Prints "SUITE: N passed, M failed" per suite and "e2e: N passed, M failed" last;
# exits non-zero if any suite failed or could not run. Needs what
# `scripts/deps.sh test` installs.
set -euo pipefail

if (($# < 1)) || [[ ! -x "$1" ]]; then
  echo "usage: $0 DYNALOCAL_BINARY [SUITE ...]" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
suites=("$@")
if ((${#suites[@]} == 0)); then
  suites=(boto3) # first: the broadest Python suite
  for file in "$here"/test_*.py; do
    name="$(basename "$file" .py)"
    name="${name#test_}"
    [[ "$name" == boto3 ]] || suites+=("$name")
  done
  suites+=(awscli js)
fi

SUITE_TIMEOUT="${DYNALOCAL_E2E_TIMEOUT:-300}" # seconds, per suite
export DYNALOCAL_BIN="$binary"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
# The JS SDK warns on every run under Node < 22 that future versions need 22.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

total_passed=0
total_failed=0
logdir="$(mktemp -d "${TMPDIR:-/tmp}/dynalocal-e2e-run.XXXXXX")"
current="" # the running suite's `timeout` process
trap 'rm -rf "$logdir"' EXIT
# Passed on to the running suite (through `timeout`), which stops its server.
on_signal() {
  if [[ -n "$current" ]]; then
    kill -TERM "$current" 2>/dev/null || true
    wait "$current" 2>/dev/null || true
  fi
  exit 143
}
trap on_signal TERM INT

# Counts from a suite's log: "N passed, M failed" (our Python and shell suites),
# or node's spec reporter summary ("ℹ pass N", "ℹ fail N", "ℹ cancelled N").
counts() {
  local log="$1" line p f c
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)"
  if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
    return 0
  fi
  p="$(grep -aoE '^. pass [0-9]+$' "$log" | grep -oE '[0-9]+$' | tail -n1 || true)"
  f="$(grep -aoE '^. fail [0-9]+$' "$log" | grep -oE '[0-9]+$' | tail -n1 || true)"
  c="$(grep -aoE '^. cancelled [0-9]+$' "$log" | grep -oE '[0-9]+$' | tail -n1 || true)"
  [[ -n "$p" && -n "$f" ]] || return 1
  echo "$p $((f + ${c:-0}))"
}

# run_suite NAME DIR COMMAND...: runs COMMAND in DIR under a time limit, shows
# its output as it comes, and adds up its counts.
run_suite() {
  local name="$1" dir="$2" log="$logdir/$1.log" rc=0 passed failed
  shift 2
  echo "--- $name"
  : >"$log"
  (cd "$dir" && exec timeout --foreground --kill-after=10 "$SUITE_TIMEOUT" "$@") >"$log" 2>&1 &
  current=$!
  # Both in the background: `wait` returns at once for a trapped signal.
  tail -n +1 -s 0.1 -f --pid="$current" "$log" &
  wait "$current" || rc=$?
  wait $! || true
  current=""
  if ! read -r passed failed < <(counts "$log"); then
    ((rc == 124)) && echo "!!! $name: timed out after ${SUITE_TIMEOUT} s"
    echo "$name: 0 passed, 1 failed (exit $rc, no counts)"
    total_failed=$((total_failed + 1))
    return
  fi
  if ((rc != 0 && failed == 0)); then failed=1; fi # crashed after its counts
  echo "$name: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

for suite in "${suites[@]}"; do
  case "$suite" in
    awscli)
      run_suite awscli "$here" ./test_awscli.sh "$binary"
      ;;
    js)
      if [[ -d "$here/js/node_modules/@aws-sdk/client-dynamodb" ]]; then
        run_suite js "$here/js" node --test --test-reporter=spec test_sdk.mjs
      else
        echo "js: 0 passed, 1 failed (no node_modules: run scripts/deps.sh test)"
        total_failed=$((total_failed + 1))
      fi
      ;;
    *)
      if [[ ! -f "$here/test_$suite.py" ]]; then
        echo "unknown suite: $suite (no tests/e2e/test_$suite.py)" >&2
        exit 2
      elif python="$(find_boto3_python)"; then
        run_suite "$suite" "$here" "$python" "test_$suite.py"
      else
        echo "$suite: 0 passed, 1 failed (no Python with boto3: run scripts/deps.sh test)"
        total_failed=$((total_failed + 1))
      fi
      ;;
  esac
done

echo "e2e: $total_passed passed, $total_failed failed"
((total_failed == 0))
