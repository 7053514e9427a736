# The link the Swarm hosts of one machine share (sourced by start-docker.sh and swarm-hosts.sh).
#
# A Linux bridge with an address of its own: the main engine advertises that address to the
# Swarm, and every extra host (scripts/swarm-hosts.sh) hangs off the bridge by a veth pair with
# the next address. Overlay traffic between Swarm hosts only arrives when the manager advertises
# an address on the link the others share (measured: with the machine's eth0 address the worker
# joins and runs tasks, but no overlay packet crosses).
#
# 198.18.0.0/15 is reserved for network tests (RFC 2544): no Docker address pool (10.0.0.0/8 for
# overlays, 172.17-31/16 and 192.168/16 for bridges) and no real network uses it.
#
# Env: SWARM_LINK (bridge name, default ssbr0), SWARM_LINK_NET (first three octets of the /24,
#      default 198.18.100): the manager is .1, extra host N is .(1+N).

SWARM_LINK="${SWARM_LINK:-ssbr0}"
SWARM_LINK_NET="${SWARM_LINK_NET:-198.18.100}"
SWARM_LINK_ADDR="$SWARM_LINK_NET.1"

# ensure_link: creates the bridge with the manager's address (idempotent). Fails with a message
# when not root or when the kernel refuses a bridge.
ensure_link() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "creating the Swarm link $SWARM_LINK needs root (run as root or with sudo)" >&2
    return 1
  fi
  if ! ip link show "$SWARM_LINK" >/dev/null 2>&1; then
    local err
    if ! err="$(ip link add "$SWARM_LINK" type bridge 2>&1)"; then
      echo "the kernel refused a bridge device ($SWARM_LINK): $err" >&2
      return 1
    fi
  fi
  if ! ip -4 addr show dev "$SWARM_LINK" | grep -q "inet $SWARM_LINK_ADDR/"; then
    ip addr add "$SWARM_LINK_ADDR/24" dev "$SWARM_LINK"
  fi
  ip link set "$SWARM_LINK" up
  # With br_netfilter, traffic between two extra hosts crosses the FORWARD chain, whose policy
  # Docker sets to DROP: let the link's own traffic through (once).
  if command -v iptables >/dev/null 2>&1 && ! iptables -C FORWARD -i "$SWARM_LINK" -o "$SWARM_LINK" -j ACCEPT 2>/dev/null; then
    iptables -I FORWARD -i "$SWARM_LINK" -o "$SWARM_LINK" -j ACCEPT 2>/dev/null || true
  fi
}

# close_inherited_fds: closes every descriptor but stdin/stdout/stderr in this (sub)shell. Call it
# before starting a daemon: `flock FILE cmd` hands its locked descriptor to cmd, and a dockerd
# started under it would hold the lock for as long as it runs.
close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}
