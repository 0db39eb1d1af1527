#!/usr/bin/env bash
# Installs what building and testing dynalocal needs on Debian 12, and nothing
# that is already there. Idempotent and quick when everything is present.
#
#   scripts/deps.sh [build|test|all]     (default: all)
#
#   build: the compiler, CMake and the C++ libraries.
#   test:  a Python 3 with boto3, the AWS CLI, Node.js + npm and the JS SDK
#          (npm ci in tests/e2e/js).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

what="${1:-all}"
case "$what" in
  build | test | all) ;;
  *)
    echo "usage: $0 [build|test|all]" >&2
    exit 2
    ;;
esac

BUILD_PACKAGES=(cmake g++ make libboost1.81-dev rapidjson-dev liblmdb-dev
                libspdlog-dev libgtest-dev libxxhash-dev libssl-dev zlib1g-dev
                libbenchmark-dev clang-format)

missing=()
apt_updated=0

# Adds every package not installed per dpkg to `missing`.
check_packages() {
  local pkg status
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == installed ]] || missing+=("$pkg")
  done
}

# Installs the listed packages; `apt-get update` first, once per run.
apt_install() {
  (($# > 0)) || return 0
  log "installing Debian packages: $*"
  if ((apt_updated == 0)); then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@"
}

install_build_deps() {
  missing=()
  check_packages "${BUILD_PACKAGES[@]}"
  apt_install "${missing[@]}"
}

install_test_deps() {
  missing=()
  # clang with its runtime libraries builds the libFuzzer targets.
  check_packages clang libclang-rt-14-dev
  # A Python that can import boto3: the one on PATH if it can, else Debian's.
  if ! find_boto3_python >/dev/null; then
    check_packages python3 python3-boto3
  fi
  # The AWS CLI only when no `aws` is on PATH (it may come from elsewhere).
  if ! command -v aws >/dev/null 2>&1; then
    check_packages awscli
  fi
  # Node.js and npm only when missing (NodeSource's nodejs ships its own npm,
  # which Debian's npm package would conflict with).
  command -v node >/dev/null 2>&1 || check_packages nodejs
  command -v npm >/dev/null 2>&1 || check_packages npm
  apt_install "${missing[@]}"

  find_boto3_python >/dev/null || {
    log "no Python 3 on this machine can import boto3"
    return 1
  }
  install_js_sdk
}

# npm ci in tests/e2e/js, skipped when node_modules already matches the lock.
install_js_sdk() {
  local dir="$DYNALOCAL_ROOT/tests/e2e/js"
  local stamp="$dir/node_modules/.dynalocal-lock.sha256"
  local want
  if [[ -f "$dir/package-lock.json" ]]; then
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
      return 0
    fi
    log "npm ci in tests/e2e/js"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    printf '%s\n' "$want" >"$stamp"
  else
    log "npm install in tests/e2e/js (no package-lock.json yet)"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

case "$what" in
  build) install_build_deps ;;
  test) install_test_deps ;;
  all)
    install_build_deps
    install_test_deps
    ;;
esac
