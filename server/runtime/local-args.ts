// The command lines of the local runtime's `erl` processes: replicas and the bridge.

/** Erlang's net_ticktime for a tick in ms: whole seconds, at least 1 (a peer is down after N to 1.25 N s). */
export function netTicktime(tickMs: number): number {
  return Math.max(1, Math.ceil(tickMs / 1000));
}

/** Replicas one core carries at the configured tick (measured: 200 on 2 cores at 2 s never settled). */
export const MESH_NODES_PER_CORE = 25;

/**
 * The cluster's tick (replicas and bridge) for `replicas` of them on `cores`: the configured one
 * up to MESH_NODES_PER_CORE a core; above, it grows with the square of the size, as a full mesh's
 * idle ticks do (n² connections, each ticked 4 times a tick): 200 replicas on 2 cores tick at
 * 32 s instead of 2 s. The bridge follows (README "The tick"): on the configured tick it dropped
 * the replicas of a cluster that took all the CPU.
 */
export function meshTickMs(tickMs: number, replicas: number, cores: number): number {
  const k = replicas / (MESH_NODES_PER_CORE * Math.max(1, cores));
  return k <= 1 ? tickMs : Math.ceil((tickMs * k * k) / 1000) * 1000;
}

/**
 * The priority (nice, -20..19) of each replica in a cluster of `replicas`, so that all of them
 * together weigh about twice the dashboard's session (server and bridge) on a busy CPU. Each
 * detached replica is a session of its own, and Linux weighs sessions (autogroups) alike: 50
 * replicas at nice 0 left the server 1/51 of the CPU, and the deploy's own answer took 11.4 s.
 * A weight falls by 1.25 a nice step: 2 replicas keep 0 (accounted throughput as before), 50
 * get 14, 200 the lowest, 19.
 */
export function replicaNice(replicas: number): number {
  return Math.min(19, Math.max(0, Math.round(Math.log(Math.max(1, replicas) / 2) / Math.log(1.25))));
}

/**
 * The cheapest VM that still runs real distribution (measured per replica, README "Measured"):
 * one scheduler, one dirty CPU and one dirty IO scheduler, no async threads, and process and port
 * tables sized for a 256-node mesh instead of the default 262,144 / 65,536 entries. Not `+Mea min`
 * (4 MB less each): it disables the allocators `erlang:memory/1` reports on, and the replica's
 * stats call it (notsup: `msg` crashed every second).
 */
export const LEAN_VM_FLAGS: readonly string[] = ["+S", "1:1", "+SDcpu", "1:1", "+SDio", "1", "+A", "0", "+P", "8192", "+Q", "8192"];

export interface ReplicaArgsOptions {
  nodeName: string;
  ebin: string;
  tickMs: number;
  /** An inetrc file (see INETRC): name look-ups without the native resolver. */
  inetrc?: string;
}

/**
 * What the replicas' inetrc says: resolve names from /etc/hosts, then Erlang's own DNS client.
 * With the default native resolver, the first look-up (even of "127.0.0.1", which every
 * connection set-up makes) forks two `inet_gethost` processes per replica.
 */
export const INETRC = "{lookup, [file, dns]}.\n";

/** A file name as an Erlang string term, for `-kernel inetrc`. */
function erlString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * A replica: the lean VM, the plain kernel+stdlib boot, no shell, and what the fault primitives
 * need (erlang/PROTOCOL.md "Faults"): the fault-aware epmd module, `global` that never turns a
 * partial cut or a stranger's connection into a full disconnect, and the configured tick.
 */
export function replicaArgs(o: ReplicaArgsOptions): string[] {
  return [
    ...LEAN_VM_FLAGS,
    "-boot", "start_clean",
    "-noshell", "-noinput",
    "-name", o.nodeName,
    "-pa", o.ebin,
    "-epmd_module", "swarmscope_epmd",
    "-kernel", "prevent_overlapping_partitions", "false",
    "-kernel", "net_ticktime", String(netTicktime(o.tickMs)),
    ...(o.inetrc ? ["-kernel", "inetrc", erlString(o.inetrc)] : []),
    "-run", "swarmscope_node", "main",
  ];
}

/** The hidden bridge: a default VM (it carries every event), the same tick as the replicas. */
export function bridgeArgs(o: ReplicaArgsOptions): string[] {
  return [
    "-noshell", "-noinput", "-hidden",
    "-name", o.nodeName,
    "-pa", o.ebin,
    "-kernel", "net_ticktime", String(netTicktime(o.tickMs)),
    "-run", "swarmscope_bridge", "main",
  ];
}
