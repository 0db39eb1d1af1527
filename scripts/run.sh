#!/usr/bin/env bash
# Installs what is missing, builds dynalocal (Release, into build/) and runs it.
# Arguments go to the server, e.g. scripts/run.sh --port 8001 --in-memory.
# Defaults: http://127.0.0.1:8000, data in ./data (relative to where you run it).
# DYNALOCAL_BUILD_DIR moves the build tree; DYNALOCAL_JOBS sets the parallelism.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$DYNALOCAL_ROOT"
build="${DYNALOCAL_BUILD_DIR:-$root/build}"

"$root/scripts/deps.sh" build
log "building dynalocal (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target dynalocal -j "${DYNALOCAL_JOBS:-$(nproc)}"
exec "$build/dynalocal" "$@"
