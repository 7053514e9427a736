#!/usr/bin/env bash
# Build the local base image for the Swarmscope node image, offline from any container
# registry: a debootstrap'd Debian bookworm with Erlang, imported with `docker import`.
# Only the Debian package mirror is used (taken from this machine's apt sources).
#
#   bash stack/base-image.sh                 # builds swarmscope-base:bookworm when missing
#   bash stack/base-image.sh --force         # rebuilds it
#   bash stack/base-image.sh [--force] NAME  # another image name
#
# Env: DEBIAN_MIRROR (default: from apt sources), DEBIAN_SUITE (default bookworm).
set -euo pipefail

FORCE=0
if [ "${1:-}" = "--force" ]; then FORCE=1; shift; fi
IMAGE="${1:-swarmscope-base:bookworm}"
SUITE="${DEBIAN_SUITE:-bookworm}"
# erlang-base: erl, epmd, kernel/stdlib (distribution needs nothing more).
# iproute2: `ip` to find the container's address on the overlay network.
PACKAGES="erlang-base,iproute2"

log() { echo "[base-image] $*"; }

if [ "$FORCE" = 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already present"
  exit 0
fi

# First URI of a source that serves $SUITE, from deb822 sources or the classic list.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; ok = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
          if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
        }
        if (uri != "" && ok && deb) { print uri; exit }
      }' "$f"
  done | head -n 1
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; s = ($2 ~ /^\[/) ? $4 : $3; if (s == suite) print u }' "$f"
  done | head -n 1
}

MIRROR="${DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

DIR="$(mktemp -d /tmp/swarmscope-rootfs.XXXXXX)"
cleanup() { rm -rf "$DIR"; }
trap cleanup EXIT

start=$(date +%s)
old_id="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
log "debootstrap --variant=minbase --include=$PACKAGES $SUITE from $MIRROR (about a minute)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$DIR" "$MIRROR" 2>&1 \
  | grep --line-buffered -v -E '^I: ((Retrieving|Validating) [^ ]+ [^ ]+|(Extracting|Unpacking|Configuring) [^ ]+\.\.\.)$' \
  | while IFS= read -r line; do log "  $line"; done
log "debootstrap done in $(($(date +%s) - start)) s; trimming"
rm -rf "$DIR"/var/cache/apt/archives/*.deb "$DIR"/var/lib/apt/lists/* \
  "$DIR"/usr/share/doc/* "$DIR"/usr/share/man/* "$DIR"/usr/share/locale/*
log "importing as $IMAGE"
tar --numeric-owner -C "$DIR" -c . \
  | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
new_id="$(docker image inspect -f '{{.Id}}' "$IMAGE")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true # still used by a node image: leave it
fi
log "done: $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')) in $(($(date +%s) - start)) s"
