#!/usr/bin/env bash
# Smoke test of the container image, as users run it: builds the image with
# docker/build-local.sh (podman), then runs it and talks to it through a
# published port with the AWS CLI.
#
#   docker/smoke-test.sh [TAG]       (default TAG: dynalocal:dev)
#
# Set DYNALOCAL_SMOKE_NO_BUILD=1 to test an image that is already built.
# Prints PASS/FAIL per check and exits non-zero if any check fails. Every
# container, volume and directory it creates is removed on exit.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  exec sudo --preserve-env=TMPDIR,DYNALOCAL_CONTAINERS_CONF,DEBOOTSTRAP_MIRROR,DYNALOCAL_SMOKE_NO_BUILD \
    "$0" "$@"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=docker/podman-env.sh
source "$here/podman-env.sh"

image="${1:-dynalocal:dev}"
started=$SECONDS

if [[ "${DYNALOCAL_SMOKE_NO_BUILD:-0}" != 1 ]]; then
  "$here/build-local.sh" "$image"
fi
setup_podman_conf

aws_cli="$(find_aws_cli)" || {
  log "the AWS CLI is needed (scripts/deps.sh test installs it)"
  exit 1
}
# Dummy credentials and a fixed region; nothing from ~/.aws is read.
export AWS_ACCESS_KEY_ID=smoke AWS_SECRET_ACCESS_KEY=smoke \
  AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER="" \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_EC2_METADATA_DISABLED=true

# Everything this run creates carries this label or name prefix.
run_id="dynalocal-smoke-$$"
volume="$run_id-data"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/$run_id.XXXXXX")"
podman_log="$scratch/podman.log"
cleanup() {
  local ids
  ids="$(podman ps -aq --filter "label=$run_id" 2>/dev/null || true)"
  # shellcheck disable=SC2086  # one id a word
  [[ -z "$ids" ]] || podman rm -f -v -t 0 $ids >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$*"
  failures=$((failures + 1))
}

# Starts a detached container NAME publishing 8000 on a free loopback port
# (podman picks it). Arguments: NAME, podman options, "--", the server's
# arguments.
start_container() {
  local name="$run_id-$1" podman_args=()
  shift
  while (($# > 0)) && [[ "$1" != -- ]]; do
    podman_args+=("$1")
    shift
  done
  (($# > 0)) && shift
  # Podman's stderr goes to a file: without systemd it logs an error for each
  # health-check timer it cannot create, which is noise here.
  podman run -d --name "$name" --label "$run_id" -p 127.0.0.1::8000 \
    "${podman_args[@]}" "$image" "$@" >/dev/null 2>>"$podman_log" || {
    cat "$podman_log" >&2
    return 1
  }
}

# The published address of a container's port 8000, e.g. 127.0.0.1:41234.
published() { podman port "$1" 8000/tcp | head -n 1; }

# Waits up to 10 s for GET / to answer 200; prints the endpoint URL.
wait_ready() {
  local name="$1" address i
  for ((i = 0; i < 200; i++)); do
    address="$(published "$name" 2>/dev/null || true)"
    if [[ -n "$address" ]] && curl -fsS -o /dev/null --max-time 1 "http://$address/" 2>/dev/null; then
      printf 'http://%s\n' "$address"
      return 0
    fi
    [[ "$(podman inspect --format '{{.State.Running}}' "$name")" == true ]] || break
    sleep 0.05
  done
  log "$name did not become ready; its log:"
  podman logs "$name" >&2 || true
  return 1
}

ddb() { "$aws_cli" dynamodb --endpoint-url "$endpoint" "$@"; }

create_table() {
  ddb create-table --table-name "$1" \
    --attribute-definitions AttributeName=pk,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST >/dev/null
}

# Prints attribute v of item pk=$2 in table $1 (empty when absent).
get_value() {
  ddb get-item --table-name "$1" --key "{\"pk\":{\"S\":\"$2\"}}" \
    --query 'Item.v.S' --output text
}

# ---- 1. the default command: create, put, get --------------------------------
name="$run_id-default"
start_container default -v "$volume:/data" --
if endpoint="$(wait_ready "$name")"; then
  pass "starts with the image's defaults and serves $endpoint"
else
  fail "starts with the image's defaults"
  exit 1
fi

if create_table smoke &&
  ddb put-item --table-name smoke --item '{"pk":{"S":"k1"},"v":{"S":"hello from the container"}}' &&
  [[ "$(get_value smoke k1)" == "hello from the container" ]]; then
  pass "create-table, put-item and get-item with the AWS CLI"
else
  fail "create-table, put-item and get-item with the AWS CLI"
fi

pid="$(podman inspect --format '{{.State.Pid}}' "$name")"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
if [[ "$uid" == 1000 ]]; then
  pass "the server runs as uid 1000"
else
  fail "the server runs as uid $uid, not 1000"
fi

if podman healthcheck run "$name" >/dev/null 2>&1; then
  pass "podman healthcheck run: healthy"
else
  fail "podman healthcheck run: not healthy"
fi

t0="$(date +%s%N)"
podman stop -t 10 "$name" >/dev/null 2>>"$podman_log"
stop_ms=$((($(date +%s%N) - t0) / 1000000))
exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
if ((stop_ms < 2000)) && [[ "$exit_code" == 0 ]]; then
  pass "podman stop took ${stop_ms} ms, exit code 0"
else
  fail "podman stop took ${stop_ms} ms (limit 2000), exit code $exit_code"
fi

# ---- 2. data persists in the volume across containers ------------------------
name="$run_id-restart"
start_container restart -v "$volume:/data" --
if endpoint="$(wait_ready "$name")" &&
  [[ "$(get_value smoke k1)" == "hello from the container" ]]; then
  pass "the item survives a new container on the same volume"
else
  fail "the item survives a new container on the same volume"
fi
podman rm -f -v -t 5 "$name" >/dev/null 2>>"$podman_log"

# ---- 3. DynamoDB Local's command line ----------------------------------------
# As in amazon/dynamodb-local compose files: the data bind-mounted at
# /home/dynamodblocal/data, -dbPath relative to the working directory.
mkdir -p "$scratch/ddblocal"
chown 1000:1000 "$scratch/ddblocal"
name="$run_id-ddblocal"
start_container ddblocal -v "$scratch/ddblocal:/home/dynamodblocal/data" -- \
  -jar DynamoDBLocal.jar -sharedDb -dbPath ./data
if endpoint="$(wait_ready "$name")" && create_table shared &&
  "$aws_cli" dynamodb --endpoint-url "$endpoint" --region eu-west-1 \
    list-tables --query 'TableNames' --output text | grep -qw shared &&
  [[ -n "$(find "$scratch/ddblocal" -type f -print -quit)" ]]; then
  pass "'-jar DynamoDBLocal.jar -sharedDb -dbPath ./data': one table set, files in ./data"
else
  fail "'-jar DynamoDBLocal.jar -sharedDb -dbPath ./data'"
  podman logs "$name" 2>&1 | tail -n 5 >&2 || true
fi
podman rm -f -v -t 5 "$name" >/dev/null 2>>"$podman_log"

# ---- 4. an unwritable /data fails fast and says why ---------------------------
mkdir -p "$scratch/rootonly"
chmod 0755 "$scratch/rootonly" # owned by root: uid 1000 cannot write
t0="$(date +%s%N)"
set +e
output="$(timeout 10 podman run --rm --label "$run_id" \
  -v "$scratch/rootonly:/data" "$image" 2>&1 | grep -v 'level=error')"
rc=$?
set -e
took_ms=$((($(date +%s%N) - t0) / 1000000))
if ((rc != 0 && rc != 124)) && grep -q "not writable" <<<"$output"; then
  pass "unwritable /data: exit $rc after ${took_ms} ms: $(grep -m1 'not writable' <<<"$output")"
else
  fail "unwritable /data: exit $rc after ${took_ms} ms (124: timeout), output: $output"
fi

# ---- 5. -inMemory ---------------------------------------------------------
name="$run_id-inmemory"
start_container inmemory -- -inMemory
if endpoint="$(wait_ready "$name")" && create_table mem &&
  ddb put-item --table-name mem --item '{"pk":{"S":"m"},"v":{"S":"in memory"}}' &&
  [[ "$(get_value mem m)" == "in memory" ]]; then
  pass "-inMemory serves reads and writes"
else
  fail "-inMemory serves reads and writes"
fi
podman rm -f -v -t 5 "$name" >/dev/null 2>>"$podman_log"

echo "smoke test of $image: $failures failure(s) in $((SECONDS - started)) s"
((failures == 0))
