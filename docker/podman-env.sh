# shellcheck shell=bash
# Shared by docker/build-local.sh and docker/smoke-test.sh: makes `podman`
# usable on a bare Debian 12 machine or CI runner with no Docker engine and no
# reachable registry (see the steps in the README's Docker section).
# Source it; it defines functions and exports CONTAINERS_CONF.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# The Debian base image the Dockerfile's build stage starts from.
DYNALOCAL_BASE_IMAGE="docker.io/library/debian:bookworm-slim"

# Installs podman, runc and debootstrap when any is missing.
ensure_podman_packages() {
  local missing=() pkg status
  for pkg in podman runc debootstrap; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == installed ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Podman's defaults fail in sandboxes and CI containers: the default ulimits
# cannot be raised there, and there is no systemd to manage cgroups. runc
# works where crun (Debian's default) does not. The file is rewritten each
# time so that an edit here always takes effect.
setup_podman_conf() {
  local conf="${DYNALOCAL_CONTAINERS_CONF:-${TMPDIR:-/tmp}/dynalocal-containers.conf}"
  printf '%s\n' \
    '[containers]' \
    'default_ulimits = []' \
    '[engine]' \
    'cgroup_manager = "cgroupfs"' \
    'events_logger = "file"' \
    'runtime = "runc"' >"$conf"
  export CONTAINERS_CONF="$conf"
}

# Makes the base image from Debian's own packages when it is not there yet
# (nothing can be pulled). About 30 s and ~80 MB of downloads.
ensure_base_image() {
  if podman image exists "$DYNALOCAL_BASE_IMAGE"; then
    return 0
  fi
  local rootfs
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/dynalocal-bookworm.XXXXXX")"
  log "creating $DYNALOCAL_BASE_IMAGE with debootstrap in $rootfs"
  if ! debootstrap --variant=minbase bookworm "$rootfs" \
    "${DEBOOTSTRAP_MIRROR:-http://deb.debian.org/debian}" >"$rootfs.log" 2>&1; then
    tail -n 20 "$rootfs.log" >&2
    rm -rf "$rootfs" "$rootfs.log"
    log "debootstrap failed"
    return 1
  fi
  tar -C "$rootfs" -c . | podman import - "$DYNALOCAL_BASE_IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
}
