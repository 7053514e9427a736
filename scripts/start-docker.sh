#!/usr/bin/env bash
# Make sure a Docker engine in swarm mode is reachable. Idempotent: every step is
# skipped when already done. Used by CI before the swarm tests, and by hand.
#
#   bash scripts/start-docker.sh
#
# A new swarm advertises the address of the link extra Swarm hosts share (scripts/swarm-link.sh,
# 198.18.100.1 on the bridge ssbr0), so that `scripts/swarm-hosts.sh up` can join workers whose
# overlay traffic reaches this engine. The link is made before dockerd starts (after a reboot the
# swarm still advertises it).
#
# Env: DOCKERD_LOG (default /tmp/dockerd.log), DOCKER_WAIT_S (default 60),
#      SWARM_ADVERTISE_ADDR (default: the link's address; 127.0.0.1 when no link can be made).
set -euo pipefail

log() { echo "[start-docker] $*"; }

# shellcheck source=scripts/swarm-link.sh
. "$(dirname "$0")/swarm-link.sh"

DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
WAIT_S="${DOCKER_WAIT_S:-60}"
ADVERTISE="${SWARM_ADVERTISE_ADDR:-}"
if [ -z "$ADVERTISE" ]; then
  if ensure_link; then
    ADVERTISE="$SWARM_LINK_ADDR"
  else
    log "no Swarm link: the swarm will advertise 127.0.0.1 and no extra host can join it"
    ADVERTISE=127.0.0.1
  fi
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd missing: installing docker.io with apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "docker engine already up"
else
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd is running but not answering yet; waiting"
  else
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: the engine must not die with this shell or its process group.
    (
      close_inherited_fds
      if [ "$(id -u)" -eq 0 ]; then exec setsid dockerd; else exec sudo setsid dockerd; fi
    ) >"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for ((i = 0; i < WAIT_S * 2; i++)); do
    if docker info >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    log "docker engine did not answer within ${WAIT_S}s; last lines of $DOCKERD_LOG:"
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  log "docker engine up"
fi

state="$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)"
if [ "$state" = "active" ]; then
  addr="$(docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null || true)"
  log "swarm mode already active (advertising $addr)"
  if [ "$addr" != "$ADVERTISE" ]; then
    log "note: scripts/swarm-hosts.sh needs a swarm advertising $ADVERTISE; to move it (this removes" \
      "every service): docker swarm leave --force && bash scripts/start-docker.sh"
  fi
else
  log "swarm state '$state': docker swarm init --advertise-addr $ADVERTISE --listen-addr $ADVERTISE:2377"
  docker swarm init --advertise-addr "$ADVERTISE" --listen-addr "$ADVERTISE:2377" >/dev/null
  log "swarm mode active"
fi
