#!/usr/bin/env bash
# Extra Docker Swarm hosts on this one machine: each a real `dockerd` in its own network and UTS
# namespace (so its own address and hostname), joined to the main engine's swarm as a worker over
# the shared link of scripts/swarm-link.sh, with the Swarmscope images copied from the main engine
# (no registry). Idempotent; as root.
#
#   bash scripts/swarm-hosts.sh up [N]      N extra hosts (default 1): swarmscope-host1..N
#   bash scripts/swarm-hosts.sh down        removes every extra host; the main engine stays as it was
#   bash scripts/swarm-hosts.sh status      each host: namespace, engine, swarm node, images
#   bash scripts/swarm-hosts.sh images      copies missing swarmscope-node/-base images to every host
#   bash scripts/swarm-hosts.sh stop I      stops host I's engine (SIGTERM: its tasks end, Swarm sees it Down)
#   bash scripts/swarm-hosts.sh start I     starts host I's engine again (it rejoins by itself)
#
# Host I: network namespace swarmscope-hostI (veth ssvI on the link, address <net>.(1+I), a route
# to the link only, never a default route: a missing image must fail fast, not reach out to a
# registry), engine socket unix:///run/swarmscope-hostI/docker.sock, data /var/lib/swarmscope-hostI,
# log /run/swarmscope-hostI/dockerd.log.
#
# Env: SWARM_HOSTS_AVAILABILITY (active | pause | drain: the new worker's availability, default
#      active), SWARM_HOSTS_WAIT_S (default 60), and SWARM_LINK / SWARM_LINK_NET (swarm-link.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/swarm-link.sh
. scripts/swarm-link.sh

PREFIX=swarmscope-host
WAIT_S="${SWARM_HOSTS_WAIT_S:-60}"

say() { echo "[swarm-hosts] $*" >&2; }
die() { say "error: $*"; exit 1; }

ns_of() { echo "$PREFIX$1"; }
addr_of() { echo "$SWARM_LINK_NET.$((1 + $1))"; }
run_of() { echo "/run/$PREFIX$1"; }
sock_of() { echo "unix://$(run_of "$1")/docker.sock"; }
data_of() { echo "/var/lib/$PREFIX$1"; }
dk() { local i="$1"; shift; docker -H "$(sock_of "$i")" "$@"; }

# The extra hosts that exist now (by their namespaces), as numbers.
existing() {
  ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^$PREFIX\([0-9]\+\)$/\1/p" | sort -n
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "extra Swarm hosts need root (network namespaces, a second dockerd): run as root or with sudo"
  command -v nsenter >/dev/null && command -v unshare >/dev/null || die "nsenter and unshare (util-linux) are needed"
  command -v dockerd >/dev/null || die "dockerd is missing: run scripts/start-docker.sh first"
}

# The main engine must be a swarm manager advertising the link's address.
require_manager() {
  docker info >/dev/null 2>&1 || die "the main Docker engine does not answer: run scripts/start-docker.sh"
  local state addr
  state="$(docker info --format '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}')"
  [ "$state" = "active/true" ] || die "the main engine is not a swarm manager ($state): run scripts/start-docker.sh"
  addr="$(docker info --format '{{.Swarm.NodeAddr}}')"
  [ "$addr" = "$SWARM_LINK_ADDR" ] || die "the swarm advertises $addr, but extra hosts reach the manager only at $SWARM_LINK_ADDR (the link $SWARM_LINK); re-initialise it (removes every service): docker swarm leave --force && bash scripts/start-docker.sh"
}

netns_up() {
  local i="$1" ns veth
  ns="$(ns_of "$i")"
  veth="ssv$i"
  [ -e "/run/netns/$ns" ] || ip netns add "$ns" || die "the kernel refused a network namespace ($ns)"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns" || die "the kernel refused a veth pair ($veth)"
  fi
  ip link set "$veth" master "$SWARM_LINK" up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" -4 addr show dev eth0 | grep -q "inet $(addr_of "$i")/" || ip -n "$ns" addr add "$(addr_of "$i")/24" dev eth0
  # Only the link's own /24 (the manager and the other hosts), which the address above brings.
  ip -n "$ns" route del default >/dev/null 2>&1 || true
}

engine_pid() {
  local pidfile
  pidfile="$(run_of "$1")/dockerd.pid"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

engine_start() {
  local i="$1" run data
  run="$(run_of "$i")"
  data="$(data_of "$i")"
  if engine_pid "$i" >/dev/null; then return 0; fi
  mkdir -p "$run" "$data"
  say "$(ns_of "$i"): starting dockerd (log $run/dockerd.log)"
  [ -e /run/docker.sock ] || touch /run/docker.sock # the bind mount below needs a target
  # nsenter --net, not `ip netns exec` (which remounts /sys and hides the cgroup mounts); a UTS
  # namespace of its own so the engine, and Swarm, name this host apart from the main one; a mount
  # namespace of its own where /var/run/docker.sock is this engine's socket, so that a container
  # mounting the host's Docker socket (the stack's agent) gets this host's engine, as on a real
  # machine (runc resolves bind mounts in the engine's mount namespace).
  (close_inherited_fds && exec setsid nsenter --net="/run/netns/$(ns_of "$i")" unshare --uts --mount sh -c '
    hostname "$1" && run="$2" && shift 2 || exit 1
    "$@" &
    pid=$!
    t=0
    while [ ! -S "$run/docker.sock" ] && [ $t -lt 400 ]; do sleep 0.1; t=$((t + 1)); done
    mount --bind "$run/docker.sock" /run/docker.sock || echo "[swarm-hosts] cannot bind the engine socket over /run/docker.sock" >&2
    wait "$pid"' sh "$(ns_of "$i")" "$run" \
    dockerd --data-root "$data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
    -H "$(sock_of "$i")" --bridge none --iptables=false --ip-masq=false \
    >"$run/dockerd.log" 2>&1 </dev/null) &
  local t
  for ((t = 0; t < WAIT_S * 4; t++)); do
    dk "$i" info >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  tail -n 20 "$run/dockerd.log" >&2 || true
  die "$(ns_of "$i"): dockerd did not answer within ${WAIT_S}s"
}

engine_stop() {
  local i="$1" pid t
  pid="$(engine_pid "$i" || true)"
  [ -n "$pid" ] || return 0
  say "$(ns_of "$i"): stopping dockerd (pid $pid; its containers stop with it)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((t = 0; t < 120; t++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  say "$(ns_of "$i"): dockerd still running after 30 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# Joined to this swarm: the manager lists the engine's node id as Ready.
joined() {
  local id
  id="$(dk "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null)"
  [ -n "$id" ] && [ "$(docker node inspect -f '{{.Status.State}}' "$id" 2>/dev/null)" = ready ]
}

join() {
  local i="$1" state token t
  if joined "$i"; then return 0; fi
  state="$(dk "$i" info --format '{{.Swarm.LocalNodeState}}')"
  if [ "$state" != inactive ]; then
    say "$(ns_of "$i"): in another swarm ($state): leaving it"
    dk "$i" swarm leave --force >/dev/null 2>&1 || true
  fi
  forget_nodes "$(ns_of "$i")"
  token="$(docker swarm join-token -q worker)"
  say "$(ns_of "$i"): joining the swarm at $SWARM_LINK_ADDR:2377 as a worker"
  dk "$i" swarm join --token "$token" --advertise-addr "$(addr_of "$i")" --listen-addr "$(addr_of "$i"):2377" \
    "$SWARM_LINK_ADDR:2377" >/dev/null
  for ((t = 0; t < WAIT_S * 4; t++)); do
    if joined "$i"; then
      set_availability "$i"
      return 0
    fi
    sleep 0.25
  done
  die "$(ns_of "$i"): joined, but the manager does not list it Ready within ${WAIT_S}s"
}

# SWARM_HOSTS_AVAILABILITY=pause: Swarm places no task there until someone makes it active (CI keeps
# the single-host suites on the main engine this way; the two-host suites activate it).
set_availability() {
  local a="${SWARM_HOSTS_AVAILABILITY:-active}"
  [ "$a" = active ] && return 0
  docker node update --availability "$a" "$(dk "$1" info --format '{{.Swarm.NodeID}}')" >/dev/null
  say "$(ns_of "$1"): availability $a"
}

# Removes the manager's entries for a hostname that are not Ready (earlier runs of this script).
forget_nodes() {
  local host="$1" id
  for id in $(docker node ls -q 2>/dev/null); do
    if [ "$(docker node inspect -f '{{.Description.Hostname}} {{.Status.State}}' "$id" 2>/dev/null)" = "$host down" ]; then
      docker node rm --force "$id" >/dev/null 2>&1 || true
    fi
  done
}

# Every swarmscope-node and swarmscope-base image of the main engine, by tag, that host I lacks:
# Swarm runs exactly the tag the service names, and a host without it fails the task.
images_to() {
  local i="$1" ref missing=()
  for ref in $(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^swarmscope-(node|base):' | grep -v '<none>'); do
    [ "$(docker image inspect -f '{{.Id}}' "$ref")" = "$(dk "$i" image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)" ] || missing+=("$ref")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "$(ns_of "$i"): loading ${missing[*]}"
  docker save "${missing[@]}" | dk "$i" load -q >/dev/null
}

host_up() {
  local i="$1"
  netns_up "$i"
  engine_start "$i"
  join "$i"
  images_to "$i"
  say "$(ns_of "$i") ready: $(addr_of "$i"), node $(dk "$i" info --format '{{.Swarm.NodeID}}'), $(sock_of "$i")"
}

host_down() {
  local i="$1" ns id run pid
  ns="$(ns_of "$i")"
  run="$(run_of "$i")"
  id="$(dk "$i" info --format '{{.Swarm.NodeID}}' 2>/dev/null || true)"
  if engine_pid "$i" >/dev/null; then dk "$i" swarm leave --force >/dev/null 2>&1 || true; fi
  engine_stop "$i"
  [ -z "$id" ] || docker node rm --force "$id" >/dev/null 2>&1 || true
  forget_nodes "$ns"
  # What the engine left in its namespace (shims of killed containers): ours to end.
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  # Mounts the engine left (overlay layers, netns files) before the folders go.
  awk -v a="$(data_of "$i")" -v b="$run" '$2 ~ "^"a || $2 ~ "^"b {print $2}' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$(data_of "$i")" "$run"
  ip link del "ssv$i" >/dev/null 2>&1 || true
  ip netns del "$ns" >/dev/null 2>&1 || true
  say "$ns removed"
}

status() {
  local i any=0 node
  say "link $SWARM_LINK $(ip -4 -br addr show dev "$SWARM_LINK" 2>/dev/null | awk '{print $3}' || echo absent); manager advertises $(docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null || echo '?')"
  for i in $(existing); do
    any=1
    node="$(dk "$i" info --format '{{.Name}} {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}' 2>/dev/null || echo 'engine down')"
    echo "$(ns_of "$i") $(addr_of "$i") pid=$(engine_pid "$i" || echo -) $node images=$(dk "$i" images -q 2>/dev/null | sort -u | wc -l)"
  done
  [ "$any" = 1 ] || say "no extra hosts"
  docker node ls 2>/dev/null || true
}

number() { [[ "$1" =~ ^[1-9][0-9]?$ ]] || die "expected a host number 1-99, not '$1'"; }

cmd="${1:-status}"
case "$cmd" in
  up)
    n="${2:-1}"
    number "$n"
    require_root
    ensure_link || die "cannot make the Swarm link $SWARM_LINK"
    require_manager
    for ((i = 1; i <= n; i++)); do host_up "$i"; done ;;
  down)
    require_root
    for i in $(existing); do host_down "$i"; done ;;
  status) status ;;
  images)
    require_root
    for i in $(existing); do images_to "$i"; done ;;
  stop)
    number "${2:-}"
    require_root
    engine_stop "$2" ;;
  start)
    number "${2:-}"
    require_root
    [ -e "/run/netns/$(ns_of "$2")" ] || die "no host $2: run 'up $2' first"
    engine_start "$2" ;;
  *) die "usage: swarm-hosts.sh up [N] | down | status | images | stop I | start I" ;;
esac
