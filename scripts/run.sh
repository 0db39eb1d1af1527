#!/usr/bin/env bash
# Installs what is missing, builds dynalocal (Release, into build/) and runs it.
# Arguments go to the server, e.g. scripts/run.sh --port 8001 --in-memory.
# Defaults: http://127.0.0.1:8000, data in ./data (relative to where you run it).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$DYNALOCAL_ROOT"

"$root/scripts/deps.sh" build
log "building dynalocal (Release) in $root/build"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" --target dynalocal -j "$(nproc)"
exec "$root/build/dynalocal" "$@"
