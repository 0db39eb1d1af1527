#!/usr/bin/env bash
# End-to-end tests: the real dynalocal binary driven by the AWS CLI (v1 or v2).
#
#   tests/e2e/test_awscli.sh BINARY
#
# Starts BINARY on a free port with a temporary data directory; always kills it
# and removes the directory on exit. The checks run in order, as one scenario.
# Ends with "N passed, M failed". PYTHON (default python3) compares JSON.
set -euo pipefail

if (($# != 1)) || [[ ! -x "$1" ]]; then
  echo "usage: $0 DYNALOCAL_BINARY" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# The interpreters themselves, not pyenv shims (a shim costs ~1 s a call).
PYTHON="${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}"
AWS="${AWS_CLI:-$(find_aws_cli)}" || { echo "no aws command" >&2; echo "0 passed, 1 failed"; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dynalocal-e2e-awscli.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    # The server leads its own process group (setsid): anything it started goes too.
    kill -KILL -- "-$server_pid" 2>/dev/null || kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# Whether the server process is still running (an exited, unreaped child is a
# zombie, which `kill -0` would still find).
server_running() {
  local state
  state="$(sed -E 's/^.*\) //' "/proc/$server_pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Starts the server; sets server_pid and endpoint.
start_server() {
  # setsid execs in place (a background job is no group leader): $! is the server.
  setsid "$binary" --host 127.0.0.1 --port 0 --data-dir "$tmp/data" \
    </dev/null >"$tmp/server.log" 2>&1 &
  server_pid=$!
  local i line
  for ((i = 0; i < 750; i++)); do # 15 s
    line="$(grep -aoE 'dynalocal listening on http://[^[:space:]/]+' "$tmp/server.log" || true)"
    if [[ -n "$line" ]]; then
      endpoint="${line#dynalocal listening on }"
      return 0
    fi
    server_running || break
    sleep 0.02
  done
  echo "dynalocal did not start:" >&2
  cat "$tmp/server.log" >&2
  echo "0 passed, 1 failed"
  exit 1
}

start_server

# Dummy credentials, no user config, no proxy, no pager, no retries.
export AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/no-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/no-creds"
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN

# Blobs: v1 takes raw bytes in JSON arguments; v2 needs to be told to do the same.
cli_major="$("$AWS" --version 2>&1 | sed -nE 's|^aws-cli/([0-9]+)\..*|\1|p')"
binary_format=()
if [[ "$cli_major" == 2 ]]; then binary_format=(--cli-binary-format raw-in-base64-out); fi

ddb() {
  "$AWS" dynamodb --endpoint-url "$endpoint" --output json --cli-connect-timeout 5 \
    --cli-read-timeout 20 "${binary_format[@]}" "$@"
}

# expect_json JSON PY_EXPR WANT: eval(PY_EXPR) over the parsed JSON `d` == eval(WANT).
expect_json() {
  "$PYTHON" - "$1" "$2" "$3" <<'EOF'
import json, sys
text, expr, want = sys.argv[1:]
d = json.loads(text) if text.strip() else None
got, want = eval(expr), eval(want)
if got != want:
    sys.exit(f"{expr}:\n  expected {want!r}\n       got {got!r}")
EOF
}

# expect_error CODE MESSAGE OPERATION -- aws args: the CLI fails with exit 254
# (v2) or 255 (v1) and prints DynamoDB's error code and message.
expect_error() {
  local code="$1" message="$2" operation="$3" rc=0 out
  shift 3
  out="$(ddb "$@" 2>&1)" || rc=$?
  if ((rc != 254 && rc != 255)); then
    echo "expected exit 254/255, got $rc: $out"
    return 1
  fi
  # The CLI may add " (reached max retries: 0)" after the operation name.
  out="$(sed -E 's/ \(reached max retries: [0-9]+\)//' <<<"$out")"
  local want="An error occurred ($code) when calling the $operation operation: $message"
  if [[ "$out" != *"$want"* ]]; then
    echo "expected: $want"
    echo "     got: $out"
    return 1
  fi
}

passed=0
failed=0
# check NAME FUNCTION: runs FUNCTION in a subshell with errexit on.
check() {
  local name="$1" rc=0
  set +e
  (set -e; "$2") >"$tmp/check.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    sed 's/^/     /' "$tmp/check.log"
  fi
}

ITEM='{"pk": {"S": "k1"}, "sk": {"N": "1.50"}, "s": {"S": "héllo"}, "b": {"B": "abc"},
       "t": {"BOOL": true}, "z": {"NULL": true}, "ss": {"SS": ["x"]}, "ns": {"NS": ["007"]},
       "m": {"M": {"l": {"L": [{"BOOL": false}, {"N": "2"}]}}}, "e": {"S": ""}}'
# The same item as DynamoDB returns it: numbers normalised, binary in base64.
STORED='{"pk": {"S": "k1"}, "sk": {"N": "1.5"}, "s": {"S": "héllo"}, "b": {"B": "YWJj"},
         "t": {"BOOL": True}, "z": {"NULL": True}, "ss": {"SS": ["x"]}, "ns": {"NS": ["7"]},
         "m": {"M": {"l": {"L": [{"BOOL": False}, {"N": "2"}]}}}, "e": {"S": ""}}'
KEY='{"pk": {"S": "k1"}, "sk": {"N": "1.5"}}'
ARN='arn:aws:dynamodb:us-east-1:000000000000:table/cli-table'

t_create_table() {
  local out
  out="$(ddb create-table --table-name cli-table --billing-mode PAY_PER_REQUEST \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE)"
  expect_json "$out" "d['TableDescription']['TableName']" "'cli-table'"
  expect_json "$out" "d['TableDescription']['KeySchema']" \
    "[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}]"
  ddb create-table --table-name cli-other --billing-mode PAY_PER_REQUEST \
    --attribute-definitions AttributeName=id,AttributeType=B \
    --key-schema AttributeName=id,KeyType=HASH >/dev/null
}

t_wait_table_exists() {
  ddb wait table-exists --table-name cli-table
  ddb wait table-exists --table-name cli-other
}

t_describe_table() {
  local out
  out="$(ddb describe-table --table-name cli-table)"
  expect_json "$out" "d['Table']['TableStatus']" "'ACTIVE'"
  expect_json "$out" "d['Table']['TableArn']" "'$ARN'"
  expect_json "$out" "d['Table']['AttributeDefinitions']" \
    "[{'AttributeName': 'pk', 'AttributeType': 'S'}, {'AttributeName': 'sk', 'AttributeType': 'N'}]"
  expect_json "$out" "d['Table']['BillingModeSummary']['BillingMode']" "'PAY_PER_REQUEST'"
  expect_json "$out" "d['Table']['ItemCount']" "0"
}

t_list_tables() {
  local out
  out="$(ddb list-tables)"
  expect_json "$out" "d" "{'TableNames': ['cli-other', 'cli-table']}"
  # One table per request: the CLI follows LastEvaluatedTableName itself.
  out="$(ddb list-tables --page-size 1)"
  expect_json "$out" "d['TableNames']" "['cli-other', 'cli-table']"
  out="$(ddb list-tables --max-items 1)"
  expect_json "$out" "d['TableNames']" "['cli-other']"
  expect_json "$out" "bool(d['NextToken'])" "True"
}

t_put_item() {
  local out
  out="$(ddb put-item --table-name cli-table --item "$ITEM" --return-consumed-capacity TOTAL)"
  expect_json "$out" "d" "{'ConsumedCapacity': {'TableName': 'cli-table', 'CapacityUnits': 1.0}}"
  out="$(ddb put-item --table-name cli-table --item '{"pk": {"S": "k2"}, "sk": {"N": "-1"}}')"
  expect_json "$out" "d" "None"  # an empty response prints nothing
}

t_get_item() {
  local out
  out="$(ddb get-item --table-name cli-table --key "$KEY" --consistent-read)"
  expect_json "$out" "d" "{'Item': $STORED}"
  out="$(ddb get-item --table-name cli-table --key "$KEY" \
    --projection-expression '#m.l[1], s' --expression-attribute-names '{"#m": "m"}')"
  expect_json "$out" "d" "{'Item': {'m': {'M': {'l': {'L': [{'N': '2'}]}}}, 's': {'S': 'héllo'}}}"
  out="$(ddb get-item --table-name cli-table --key '{"pk": {"S": "k1"}, "sk": {"N": "2"}}')"
  expect_json "$out" "d" "None"
  out="$(ddb describe-table --table-name cli-table)"
  expect_json "$out" "d['Table']['ItemCount']" "2"
}

t_delete_item() {
  local out
  out="$(ddb delete-item --table-name cli-table --key "$KEY" --return-values ALL_OLD)"
  expect_json "$out" "d" "{'Attributes': $STORED}"
  out="$(ddb get-item --table-name cli-table --key "$KEY" --consistent-read)"
  expect_json "$out" "d" "None"
}

t_errors() {
  expect_error ResourceNotFoundException "Requested resource not found" GetItem \
    get-item --table-name no-such-table --key "$KEY"
  expect_error ResourceInUseException "Table already exists: cli-table" CreateTable \
    create-table --table-name cli-table --billing-mode PAY_PER_REQUEST \
    --attribute-definitions AttributeName=pk,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH
  expect_error ValidationException \
    "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S" \
    PutItem put-item --table-name cli-table --item '{"pk": {"S": "a"}, "sk": {"S": "1"}}'
}

t_delete_table() {
  local out
  out="$(ddb delete-table --table-name cli-table)"
  expect_json "$out" "(d['TableDescription']['TableName'], d['TableDescription']['TableStatus'])" \
    "('cli-table', 'DELETING')"
  ddb wait table-not-exists --table-name cli-table
  expect_error ResourceNotFoundException "Requested resource not found: Table: cli-table not found" \
    DescribeTable describe-table --table-name cli-table
  out="$(ddb list-tables)"
  expect_json "$out" "d" "{'TableNames': ['cli-other']}"
}

echo "AWS CLI: $("$AWS" --version 2>&1); server at $endpoint"
check "create-table" t_create_table
check "wait table-exists" t_wait_table_exists
check "describe-table" t_describe_table
check "list-tables (sorted, paged)" t_list_tables
check "put-item" t_put_item
check "get-item (+ projection)" t_get_item
check "delete-item ALL_OLD" t_delete_item
check "errors: exit code and message" t_errors
check "delete-table" t_delete_table

# The server is this shell's child: only this shell can read its exit code.
kill -TERM "$server_pid"
for ((i = 0; i < 100; i++)); do # 2 s
  server_running || break
  sleep 0.02
done
if server_running; then
  failed=$((failed + 1))
  echo "FAIL SIGTERM: still running 2 s later"
else
  rc=0
  wait "$server_pid" || rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "ok   SIGTERM: exit 0 within 2 s"
  else
    failed=$((failed + 1))
    echo "FAIL SIGTERM: exit code $rc"
  fi
fi
kill -KILL -- "-$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

echo "$passed passed, $failed failed"
((failed == 0))
