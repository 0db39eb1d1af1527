#!/usr/bin/env bash
# Builds the dynalocal image with podman on a Debian 12 machine that has no
# Docker engine and no reachable registry (the project's CI, sandboxes):
#
#   docker/build-local.sh [TAG]        (default TAG: dynalocal:dev)
#
# Idempotent: installs podman, runc and debootstrap if missing, writes the
# podman configuration, creates the debian:bookworm-slim base with debootstrap
# only if that image is missing, then builds docker/Dockerfile (cached layers
# make a rebuild without source changes take seconds). Runs as root (re-runs
# itself with sudo otherwise). For podman commands afterwards:
#   export CONTAINERS_CONF=${TMPDIR:-/tmp}/dynalocal-containers.conf
# With Docker and a registry, `docker build -f docker/Dockerfile .` suffices.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  exec sudo --preserve-env=TMPDIR,DYNALOCAL_CONTAINERS_CONF,DEBOOTSTRAP_MIRROR \
    "$0" "$@"
fi

# shellcheck source=docker/podman-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"

tag="${1:-dynalocal:dev}"

ensure_podman_packages
setup_podman_conf
ensure_base_image

log "building $tag from docker/Dockerfile"
# --pull=never: the base is local; --network=host: apt-get in the build stage
# reaches Debian's mirrors without podman's network set-up; --format docker:
# the OCI image format has no HEALTHCHECK, and podman would drop it.
podman build --pull=never --network=host --format docker -t "$tag" \
  -f "$DYNALOCAL_ROOT/docker/Dockerfile" "$DYNALOCAL_ROOT"
log "built $tag ($(podman image inspect --format '{{.Size}}' "$tag") bytes)"
