#!/usr/bin/env bash
# Makes the Debian 12 base image kiln/debian:bookworm on the local Docker engine (run as root).
#
# Idempotent: an image already present is left alone. Otherwise a minbase bookworm root filesystem is
# bootstrapped from deb.debian.org (with ca-certificates, sudo and procps, which the build steps rely on),
# cached as a tarball in /var/lib/kiln so that a later run on this machine skips debootstrap, and imported
# with docker import. Nothing is pulled from a registry.
set -euo pipefail

IMAGE="${KILN_DEBIAN_IMAGE:-kiln/debian:bookworm}"
SUITE=bookworm
MIRROR="${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE_DIR=/var/lib/kiln
ROOTFS_TAR="${CACHE_DIR}/debian-${SUITE}-rootfs.tar"
PATH_VALUE=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[make-debian-base] %s\n' "$*"; }
die() { printf '[make-debian-base] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "must run as root (debootstrap and docker both need it)"

started=$SECONDS

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE is already present"
  exit 0
fi

rootfs=
cleanup() {
  if [[ -n "$rootfs" && -d "$rootfs" ]]; then
    rm -rf --one-file-system "$rootfs"
  fi
  rm -f "${ROOTFS_TAR}.partial"
}
trap cleanup EXIT

if [[ -s "$ROOTFS_TAR" ]]; then
  log "reusing the cached root filesystem $ROOTFS_TAR"
else
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap)"
  mkdir -p "$CACHE_DIR"
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/kiln-debian-rootfs.XXXXXX")"
  log "debootstrap $SUITE into $rootfs from $MIRROR"
  bootstrap_started=$SECONDS
  debootstrap --variant=minbase --include=ca-certificates,sudo,procps "$SUITE" "$rootfs" "$MIRROR"
  log "debootstrap took $((SECONDS - bootstrap_started))s"

  # Debootstrap configures main only; templates built on this image should get security fixes too.
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb ${MIRROR} ${SUITE} main
deb ${MIRROR} ${SUITE}-updates main
deb http://deb.debian.org/debian-security ${SUITE}-security main
EOF
  # Package lists and downloaded .debs go stale at once and only make every template bigger.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/apt/* "$rootfs"/var/log/dpkg.log
  mkdir -p "$rootfs/var/lib/apt/lists/partial"
  # Docker bind-mounts these per container; the bootstrapping host's copies must not leak into the image.
  rm -f "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"

  # Written under another name and renamed, so an interrupted run never leaves a truncated cache behind.
  tar -C "$rootfs" --numeric-owner -cf "${ROOTFS_TAR}.partial" .
  mv "${ROOTFS_TAR}.partial" "$ROOTFS_TAR"
  log "cached the root filesystem as $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
fi

import() {
  docker import "$@" \
    --change 'CMD ["/bin/bash"]' \
    --change "ENV PATH=${PATH_VALUE}" \
    - "$IMAGE" <"$ROOTFS_TAR" >/dev/null
}

# Older engines refuse LABEL in an import change; the label is a convenience, the image is what matters.
if ! import --change 'LABEL kiln.base=debian' 2>/dev/null; then
  log "this engine does not take LABEL on import; importing without the kiln.base label"
  import
fi

docker image inspect "$IMAGE" >/dev/null 2>&1 || die "docker import did not produce $IMAGE"
log "made $IMAGE in $((SECONDS - started))s"
