# Shared helpers for the scripts in this folder and for tests/e2e/run.sh.
# Source it; it defines functions only and changes no shell options.

# The repository root (this file lives in <root>/scripts).
DYNALOCAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '==> %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root (or sudo) to run: $*"
    return 1
  fi
}

# Prints the path of a Python 3 that can `import boto3`, or returns 1.
# The `python3` on PATH comes first (here it may be a pyenv Python that has
# boto3 already); Debian's /usr/bin/python3 (with python3-boto3) is the fallback.
find_boto3_python() {
  local candidate path
  for candidate in python3 /usr/bin/python3; do
    path="$(command -v "$candidate" 2>/dev/null)" || continue
    if "$path" -c 'import boto3' >/dev/null 2>&1; then
      printf '%s\n' "$path"
      return 0
    fi
  done
  return 1
}
