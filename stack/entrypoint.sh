#!/bin/sh
# Entrypoint of the Swarmscope node image.
#
#   entrypoint.sh node     a replica: -name $SWARMSCOPE_NAME@<overlay IP>, runs swarmscope_node
#   entrypoint.sh bridge   the hidden bridge: frames on stdin/stdout, runs swarmscope_bridge
#   entrypoint.sh agent    the host agent (hidden, the engine's socket mounted): swarmscope_agent
#   entrypoint.sh relay    the dashboard's way to the agents: frames on stdin/stdout, swarmscope_relay
#   entrypoint.sh CMD...   anything else is run as is (debugging)
#
# Environment:
#   SWARMSCOPE_NAME         node name before the @ (replicas: n-<deployment>; bridge: bridge-<deployment>)
#   SWARMSCOPE_SUBNET       the overlay network's subnet (e.g. 10.0.5.0/24): the address on it is used
#   SWARMSCOPE_SERVICE      else: the service name; the local address listed by tasks.<service> is used
#   SWARMSCOPE_COOKIE_FILE  the cookie (default: the Docker secret /run/secrets/swarmscope_cookie);
#                           without it, an existing $HOME/.erlang.cookie is used
#   SWARMSCOPE_DIST_PORT    the fixed distribution port (default 9100)
#   SWARMSCOPE_TICK_MS      how fast a silent peer is declared down: net_ticktime, in whole seconds
#                           rounded up (default 2000 → 2 s; Erlang's own default is 60 s)
#   SWARMSCOPE_STACK        (agent) the stack whose containers it may act on (default: from the
#                           service name <stack>_agent)
#
# Everything this script says goes to stderr: the bridge's stdout carries only frames.
set -eu

say() { echo "[entrypoint] $*" >&2; }
die() { say "error: $*"; exit 1; }

role="${1:-node}"
case "$role" in
  node | bridge | agent | relay) ;;
  *) exec "$@" ;;
esac

export HOME="${HOME:-/root}"
PORT="${SWARMSCOPE_DIST_PORT:-9100}"

# --- cookie: from the secret, never from the environment or the command line -------------
cookie_src="${SWARMSCOPE_COOKIE_FILE:-/run/secrets/swarmscope_cookie}"
cookie="$HOME/.erlang.cookie"
if [ -f "$cookie_src" ]; then
  mkdir -p "$HOME"
  rm -f "$cookie"
  cp "$cookie_src" "$cookie"
  chmod 0400 "$cookie"
elif [ -s "$cookie" ]; then
  chmod 0400 "$cookie"
else
  die "no Erlang cookie: expected the secret $cookie_src (docker secret create swarmscope_cookie FILE) or $cookie"
fi

# --- the address on the stack's overlay network ---------------------------------------------
# A task has an address on the overlay and one on docker_gwbridge (and on ingress if ports are
# published): only the overlay one is reachable by the other replicas.
local_ips() { ip -o -4 addr show scope global | awk '{ split($4, a, "/"); print a[1] }'; }

ip_on_subnet() { ip -o -4 addr show to "$1" | awk '{ split($4, a, "/"); print a[1]; exit }'; }

ip_in_service() {
  for a in $(getent ahostsv4 "tasks.$1" | awk '{ print $1 }' | sort -u); do
    if local_ips | grep -qx "$a"; then echo "$a"; return 0; fi
  done
  return 1
}

ip_off_default_route() {
  dev="$(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')"
  ip -o -4 addr show scope global | awk -v d="$dev" '$2 != d { split($4, a, "/"); print a[1]; exit }'
}

find_ip() {
  i=0
  while [ "$i" -lt 40 ]; do # up to ~20 s: the DNS record of a new task may lag its start
    if [ -n "${SWARMSCOPE_SUBNET:-}" ]; then
      found="$(ip_on_subnet "$SWARMSCOPE_SUBNET")"
    elif [ -n "${SWARMSCOPE_SERVICE:-}" ]; then
      found="$(ip_in_service "$SWARMSCOPE_SERVICE" || true)"
    else
      found="$(ip_off_default_route)"
    fi
    if [ -n "$found" ]; then echo "$found"; return 0; fi
    i=$((i + 1))
    sleep 0.5
  done
  return 1
}

IP="$(find_ip)" || die "no address found on the overlay network (SWARMSCOPE_SUBNET='${SWARMSCOPE_SUBNET:-}', SWARMSCOPE_SERVICE='${SWARMSCOPE_SERVICE:-}'; addresses: $(local_ips | tr '\n' ' '))"

TICK_MS="${SWARMSCOPE_TICK_MS:-2000}"
case "$TICK_MS" in '' | *[!0-9]*) die "SWARMSCOPE_TICK_MS must be a whole number of ms, not '$TICK_MS'" ;; esac
TICK_S=$(((TICK_MS + 999) / 1000))
# Every node of a deployment ticks alike: a peer with a longer tick would keep a frozen one "up".
dist="-kernel inet_dist_listen_min $PORT inet_dist_listen_max $PORT -kernel net_ticktime $TICK_S"
# Logger output to stderr, so that stdout stays frames only (bridge, relay).
to_stderr='[{handler, default, logger_std_h, #{config => #{type => standard_error}}}]'

case "$role" in
  bridge)
    NAME="${SWARMSCOPE_NAME:-bridge-${SWARMSCOPE_DEPLOYMENT:-swarm}}"
    say "bridge $NAME@$IP (hidden, dist port $PORT, net_ticktime $TICK_S)"
    # shellcheck disable=SC2086
    exec erl -noshell -noinput -hidden -name "$NAME@$IP" $dist -kernel logger "$to_stderr" \
      -pa /app/ebin -run swarmscope_bridge main ;;
  relay)
    NAME="${SWARMSCOPE_NAME:-relay-${SWARMSCOPE_DEPLOYMENT:-swarm}}"
    say "relay $NAME@$IP (hidden, dist port $PORT, net_ticktime $TICK_S)"
    # shellcheck disable=SC2086
    exec erl -noshell -noinput -hidden -name "$NAME@$IP" $dist -kernel logger "$to_stderr" \
      -pa /app/ebin -run swarmscope_relay main ;;
  agent)
    NAME="${SWARMSCOPE_NAME:-agent-${SWARMSCOPE_DEPLOYMENT:-swarm}}"
    # docker stack deploy names the service <stack>_agent
    svc="${SWARMSCOPE_SERVICE:-}"
    if [ -z "${SWARMSCOPE_STACK:-}" ] && [ "${svc%_agent}" != "$svc" ]; then export SWARMSCOPE_STACK="${svc%_agent}"; fi
    [ -n "${SWARMSCOPE_STACK:-}" ] || die "the agent needs SWARMSCOPE_STACK (the stack whose containers it acts on)"
    [ -S "${SWARMSCOPE_DOCKER_SOCKET:-/var/run/docker.sock}" ] || die "the agent needs the engine's socket mounted at ${SWARMSCOPE_DOCKER_SOCKET:-/var/run/docker.sock}"
    say "agent $NAME@$IP for stack $SWARMSCOPE_STACK (hidden, dist port $PORT, net_ticktime $TICK_S)"
    # shellcheck disable=SC2086
    exec erl -noshell -noinput -hidden -name "$NAME@$IP" $dist -pa /app/ebin -run swarmscope_agent main ;;
esac

NAME="${SWARMSCOPE_NAME:-n-${SWARMSCOPE_DEPLOYMENT:-swarm}}"
say "replica $NAME@$IP (dist port $PORT, net_ticktime $TICK_S, faults through swarmscope_epmd)"
# -epmd_module: the fault table decides which peers can be reached (erlang/PROTOCOL.md, Faults);
# prevent_overlapping_partitions false: a partial partition stays partial (global would cut more).
# shellcheck disable=SC2086
exec erl -noshell -noinput -name "$NAME@$IP" $dist -epmd_module swarmscope_epmd \
  -kernel prevent_overlapping_partitions false -pa /app/ebin -run swarmscope_node main
