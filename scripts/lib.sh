# shellcheck shell=bash
# Shared helpers for the scripts in this folder and for tests/e2e/run.sh.
# Source it; it defines functions only and changes no shell options.

# The repository root (this file lives in <root>/scripts).
# shellcheck disable=SC2034  # used by the scripts that source this file
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
# The `python3` on PATH comes first (it may be a pyenv Python that has boto3
# already); Debian's /usr/bin/python3 (with python3-boto3) is the fallback.
# Prints the interpreter itself, not a pyenv shim (a shim costs ~1 s a call).
find_boto3_python() {
  local candidate
  for candidate in python3 /usr/bin/python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    "$candidate" -c 'import boto3, sys; print(sys.executable)' 2>/dev/null && return 0
  done
  return 1
}

# Prints the path of the `aws` command, past a pyenv shim when there is one.
find_aws_cli() {
  local path
  path="$(command -v aws 2>/dev/null)" || return 1
  if [[ "$path" == */shims/aws ]] && command -v pyenv >/dev/null 2>&1; then
    pyenv which aws 2>/dev/null && return 0
  fi
  printf '%s\n' "$path"
}
