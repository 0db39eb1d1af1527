#!/usr/bin/env bash
# Measures the image as bench/RESULTS.md reports it ("## Docker image"):
#
#   docker/measure.sh [TAG] [RUNS]      (defaults: dynalocal:dev, 7)
#
#  - image size (podman image inspect .Size: the uncompressed layers);
#  - the container runtime's own floor: `podman run --rm TAG --version`;
#  - start-up: from `podman run -d` to the first ListTables answered with 200
#    through the published port (polled every 5 ms with curl), with the
#    image's default command, i.e. a fresh /data volume;
#  - idle memory: VmRSS of the server process (the host-visible pid from
#    `podman inspect .State.Pid`), 2 s after that first request;
#  - `podman stop` time.
# Medians over RUNS runs. Needs the image built (docker/build-local.sh).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  exec sudo --preserve-env=TMPDIR,DYNALOCAL_CONTAINERS_CONF "$0" "$@"
fi
# shellcheck source=docker/podman-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"
setup_podman_conf

image="${1:-dynalocal:dev}"
runs="${2:-7}"
name="dynalocal-measure-$$"
trap 'podman rm -f -t 0 "$name" >/dev/null 2>&1 || true' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
list_tables() {
  # Any SigV4-shaped Authorization header will do: signatures are not
  # verified unless --require-auth is on.
  curl -fsS -o /dev/null --max-time 1 -X POST \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' \
    -d '{}' "http://127.0.0.1:$1/" 2>/dev/null
}

size_bytes="$(podman image inspect --format '{{.Size}}' "$image")"
echo "image $image: $size_bytes bytes ($((size_bytes / 1024)) KiB)"
podman images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -F "${image%%:*}" || true

floor=() startup=() rss=() stop=()
for ((i = 0; i < runs; i++)); do
  t0="$(now_ms)"
  podman run --rm "$image" --version >/dev/null
  floor+=($(($(now_ms) - t0)))

  port="$(free_port)"
  t0="$(now_ms)"
  podman run -d --name "$name" -p "127.0.0.1:$port:8000" "$image" >/dev/null
  until list_tables "$port"; do
    (($(now_ms) - t0 < 10000)) || {
      echo "no answer within 10 s" >&2
      podman logs "$name" >&2
      exit 1
    }
    sleep 0.005
  done
  startup+=($(($(now_ms) - t0)))
  sleep 2
  pid="$(podman inspect --format '{{.State.Pid}}' "$name")"
  rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
  t0="$(now_ms)"
  podman stop -t 10 "$name" >/dev/null
  stop+=($(($(now_ms) - t0)))
  podman rm -f -v "$name" >/dev/null
done

echo "runs: $runs"
echo "podman run --rm --version (runtime floor) ms: ${floor[*]}  median $(printf '%s\n' "${floor[@]}" | median)"
echo "start to first ListTables ms: ${startup[*]}  median $(printf '%s\n' "${startup[@]}" | median)"
echo "idle VmRSS KiB: ${rss[*]}  median $(printf '%s\n' "${rss[@]}" | median)"
echo "podman stop ms: ${stop[*]}  median $(printf '%s\n' "${stop[@]}" | median)"
