import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { erlangEnv, type ServerHandle, startServer, waitFor } from "./harness";

// The atom flood of issue 11, end to end on the local runtime: a node holding the cookie (hidden,
// as any cookie holder can start one) sends a replica seed messages whose senders are distinct
// unknown names (binaries, strings, tuples), and ss_* messages naming unknown nodes: 100,000, then
// 100,000 others. The replica tells the bridge, the bridge the server. Asserted: the second flood
// makes no atom on the replica or on the bridge (erlang:system_info(atom_count); the first one may
// load code, whose atoms are printed), and no atom anywhere is made of a flooded name,
// every seed message counted by the server, its per-node rows bounded (strangers folded into one
// row past a cap), the cluster unchanged, and the server alive.

const run = promisify(execFile);
const FLOOD = 100_000;

/**
 * The flooding node's program: a first flood of 100,000 distinct names (it also loads whatever
 * code the paths need), then the measured one of 100,000 other names; the atom counts of the
 * replica and the bridge before and after each, with the atoms made (found by their index:
 * `<<131, 75, Index:24>>`). It leaves the bridge between counts: it keeps Erlang's default tick, and
 * a connection silent for the cluster's tick would be dropped by the bridge as "not responding",
 * whose log line loads the io module (atoms, though none of a name).
 */
function floodProgram(replica: string, bridge: string): string {
  return `
    N = '${replica}', B = '${bridge}',
    pong = net_adm:ping(N), pong = net_adm:ping(B),
    Atoms = fun() -> A = {erpc:call(N, erlang, system_info, [atom_count]), erpc:call(B, erlang, system_info, [atom_count])},
      true = erlang:disconnect_node(B), A end,
    New = fun(Nd, From, To) -> erpc:call(Nd, fun() -> [try binary_to_term(<<131, 75, I:24>>) catch _:_ -> I end || I <- lists:seq(From, To - 1)] end) end,
    Seeds = fun() -> maps:get(seed, erpc:call(N, swarmscope_node, info, [], 60000)) end,
    Wait = fun W(T, 0) -> error({seeds, Seeds(), T}); W(T, K) -> case Seeds() >= T of true -> ok; false -> timer:sleep(100), W(T, K - 1) end end,
    One = fun(I) -> J = integer_to_binary(I),
      case I rem 4 of
        0 -> {msg, N} ! {send, <<"stranger-", J/binary, "@10.1.2.3">>, <<"x">>},
             {msg, N} ! {ss_send, J, <<"n-", J/binary, "@h">>, x},
             {msg, N} ! {ss_peers, [<<"n-", J/binary, "@h">>, "n-" ++ binary_to_list(J) ++ "@h"]};
        1 -> {msg, N} ! {send, "stranger-" ++ binary_to_list(J) ++ "@h", <<"x">>};
        2 -> {msg, N} ! {send, {<<"n-", J/binary>>, "@h"}, <<"x">>};
        3 -> {msg, N} ! {send, <<"n-", J/binary, "@127.0.0.1">>, <<"x">>}
      end end,
    Flood = fun(From, To, Total) -> lists:foreach(One, lists:seq(From, To)), Wait(Total, 1800), timer:sleep(1000) end,
    S0 = Seeds(), {Rw, Bw} = Atoms(),
    Flood(${FLOOD + 1}, ${2 * FLOOD}, S0 + ${FLOOD}),
    {R0, B0} = Atoms(), T0 = erlang:monotonic_time(millisecond),
    Flood(1, ${FLOOD}, S0 + ${2 * FLOOD}),
    T1 = erlang:monotonic_time(millisecond), {R1, B1} = Atoms(),
    io:format("first flood: replica atoms +~b, bridge +~b: ~0p~n", [R0 - Rw, B0 - Bw, {New(N, Rw, R0), New(B, Bw, B0)}]),
    io:format("flood ~b ms; replica atoms ~b -> ~b; bridge atoms ~b -> ~b; new: ~0p~n", [T1 - T0, R0, R1, B0, B1, {New(N, R0, R1), New(B, B0, B1)}]),
    halt().`;
}

describe("a flood of unknown names from a cookie holder (local runtime)", () => {
  let s: ServerHandle;

  beforeAll(async () => {
    s = await startServer();
    await s.api("PUT", "/api/cluster", { replicas: 2 });
    await waitFor("2 nodes up", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up");
    });
  });
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it(`2 × ${FLOOD.toLocaleString("en")} distinct sender names: no atom per name on the replica or the bridge, the server's rows bounded`, { timeout: 300_000 }, async () => {
    const before = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    const stats0 = (await s.api<StatsDTO>("GET", "/api/stats")).body;
    const replica = before.nodes[0]!.name;
    const bridge = before.bridge.node!;
    const { stdout } = await run("erl", ["-noshell", "-hidden", "-name", `flood${process.pid}@127.0.0.1`, "-eval", floodProgram(replica, bridge)], {
      env: erlangEnv(s.dataDir),
      timeout: 280_000,
    });
    for (const line of stdout.trim().split("\n")) console.log(`[measure] ${line}`);
    const m = /flood (\d+) ms; replica atoms (\d+) -> (\d+); bridge atoms (\d+) -> (\d+)/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    const [, , r0, r1, b0, b1] = m!.map(Number);
    expect({ replica: r1! - r0!, bridge: b1! - b0! }, stdout).toEqual({ replica: 0, bridge: 0 });
    expect(stdout, "an atom made of a flooded name").not.toMatch(/'?(stranger-|n-)\d/);

    const total = 2 * FLOOD;
    const stats = await waitFor("every seed message counted", async () => {
      const st = (await s.api<StatsDTO>("GET", "/api/stats")).body;
      return st.received - stats0.received >= total ? st : undefined;
    }, 120_000, 250);
    expect(stats.received - stats0.received).toBe(total);
    const rows = Object.keys(stats.perNode);
    console.log(`[measure] flood: ${total} seed messages from ${total} distinct names → ${rows.length} per-node rows at the server`);
    expect(rows.length).toBeLessThanOrEqual(2 + 64 + 2); // the replicas, 64 named seed senders, the folded rows
    expect(stats.perNode["(other seed senders)"]!.sent).toBeGreaterThanOrEqual(total - 64);

    const after = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    expect(after.nodes.map((n) => [n.name, n.status])).toEqual(before.nodes.map((n) => [n.name, n.status]));
    expect(after.strangers).toEqual([]);
    expect(after.bridge.status).toBe("up");
    expect(s.proc.exitCode).toBeNull();
  });
});
