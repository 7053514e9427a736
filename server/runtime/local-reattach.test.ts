import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../log";
import { LocalRuntime, STARTS_PER_TURN } from "./local";
import { bridgeArgs, INETRC, meshTickMs, netTicktime, replicaArgs, replicaNice } from "./local-args";
import { isReplicaProcess, pidsRunning, runsNode, startTicks } from "./local-proc";
import type { ReplicaProcess, SpawnOptions } from "./local-process";
import { type LocalState, localStatePath, readLocalState, survivors, writeLocalState } from "./local-state";

const settle = () => new Promise((resolve) => setImmediate(resolve));
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
// Pids far above any kernel's pid_max: signals to them can never reach a real process.
const PID = (n: number) => 90_000_000 + n;
const node = (slot: number) => `n${slot}-ab12cd@127.0.0.1`;

let dir: string;
let procRoot: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-local-"));
  procRoot = path.join(dir, "proc");
  fs.mkdirSync(procRoot);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A process in the fake /proc: its argv and its start time (field 22 of stat). */
function fakeProc(pid: number, argv: string[], ticks: string, state = "S"): void {
  const d = path.join(procRoot, String(pid));
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, "cmdline"), argv.join("\0") + "\0");
  const rest = [state, "1", ...Array.from({ length: 17 }, (_, i) => String(i)), ticks, "0"];
  fs.writeFileSync(path.join(d, "stat"), `${pid} (beam.smp) ${rest.join(" ")}\n`);
}
const beam = (name: string) => ["/usr/lib/erlang/erts-13.1.5/bin/beam.smp", "--", "-root", "/usr/lib/erlang", "--", "-noshell", "-name", name, "-run", "swarmscope_node", "main"];

describe("/proc checks", () => {
  it("knows a replica by the node name on its command line and its start time", () => {
    fakeProc(PID(1), beam(node(1)), "5000");
    expect(runsNode(PID(1), node(1), procRoot)).toBe(true);
    expect(startTicks(PID(1), procRoot)).toBe("5000");
    expect(isReplicaProcess(PID(1), node(1), "5000", procRoot)).toBe(true);
    expect(isReplicaProcess(PID(1), node(1), null, procRoot)).toBe(true);
  });

  it("never takes a reused pid, a different start time, a zombie or a missing pid for the replica", () => {
    fakeProc(PID(2), ["/usr/bin/python3", "server.py", "-name", "n2-other@127.0.0.1"], "7000");
    expect(isReplicaProcess(PID(2), node(2), null, procRoot)).toBe(false);
    fakeProc(PID(3), beam(node(3)), "7001");
    expect(isReplicaProcess(PID(3), node(3), "5000", procRoot)).toBe(false); // same name, a later process
    fakeProc(PID(4), beam(node(4)), "5000", "Z");
    expect(isReplicaProcess(PID(4), node(4), "5000", procRoot)).toBe(false);
    fs.writeFileSync(path.join(procRoot, String(PID(4)), "cmdline"), ""); // what a zombie shows
    expect(runsNode(PID(4), node(4), procRoot)).toBe(false);
    expect(isReplicaProcess(PID(5), node(5), null, procRoot)).toBe(false);
    // A name is matched whole: n1 is not n10, and "-name" must precede it.
    fakeProc(PID(6), beam("n10-ab12cd@127.0.0.1"), "1");
    expect(runsNode(PID(6), node(1), procRoot)).toBe(false);
    fakeProc(PID(7), ["/bin/sh", "-c", `echo ${node(7)}`], "1");
    expect(runsNode(PID(7), node(7), procRoot)).toBe(false);
  });

  it("a comm with spaces and parentheses does not shift the stat fields", () => {
    fakeProc(PID(8), beam(node(8)), "4242");
    const file = path.join(procRoot, String(PID(8)), "stat");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("(beam.smp)", "(a) b (c)"));
    expect(startTicks(PID(8), procRoot)).toBe("4242");
  });

  it("finds the pids running given node names", () => {
    fakeProc(PID(1), beam(node(1)), "1");
    fakeProc(PID(2), beam("bridge-ab12cd@127.0.0.1"), "1");
    fakeProc(PID(3), beam("n1-zz99zz@127.0.0.1"), "1");
    fs.mkdirSync(path.join(procRoot, "self"));
    expect(pidsRunning((n) => n.endsWith("-ab12cd@127.0.0.1"), procRoot).sort()).toEqual([PID(1), PID(2)]);
  });
});

describe("replica priority", () => {
  it("keeps a small cluster at nice 0 and lowers a large one, so all replicas weigh about twice the dashboard", () => {
    expect([1, 2, 3, 5, 50, 200, 256].map(replicaNice)).toEqual([0, 0, 2, 4, 14, 19, 19]);
    for (const n of [2, 10, 50, 100]) {
      const weight = n * 1024 / 1.25 ** replicaNice(n); // CFS: 1024 at nice 0, ÷1.25 a step
      expect(weight / 1024).toBeGreaterThan(1.5);
      expect(weight / 1024).toBeLessThan(2.7);
    }
  });
});

describe("local-replicas.json", () => {
  const state = (over: Partial<LocalState> = {}): LocalState => ({
    version: 1,
    deploymentId: "ab12cd",
    desired: 3,
    replicas: [1, 2, 3].map((slot) => ({ slot, nodeName: node(slot), pid: PID(slot), startedAt: 1_700_000_000_000, procStart: `${slot}00`, restarts: slot - 1 })),
    ...over,
  });

  it("is written atomically and read back; absent is null, garbage an error", () => {
    const file = localStatePath(dir);
    expect(readLocalState(file)).toBeNull();
    writeLocalState(file, state());
    expect(readLocalState(file)).toEqual(state());
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
    fs.writeFileSync(file, "{not json");
    expect(() => readLocalState(file)).toThrow(/is not JSON/);
    fs.writeFileSync(file, JSON.stringify({ ...state(), replicas: [{ slot: 0 }] }));
    expect(() => readLocalState(file)).toThrow(/is not a local replica list/);
  });

  it("adopts the live replicas within the desired count, one per slot; the rest are extra or gone", () => {
    const s = state({ desired: 2 });
    s.replicas.push({ ...s.replicas[0]!, pid: PID(9) }); // a second process claiming slot 1
    const alive = new Set([PID(1), PID(3), PID(9)]);
    const r = survivors(s, "ab12cd", (e) => alive.has(e.pid));
    expect(r.desired).toBe(2);
    expect(r.adopt.map((e) => [e.slot, e.pid])).toEqual([[1, PID(1)]]);
    expect(r.extra.map((e) => [e.slot, e.pid])).toEqual([
      [3, PID(3)],
      [1, PID(9)],
    ]);
    expect(survivors(s, "other1", () => true)).toEqual({ desired: 0, adopt: [], extra: [] });
    expect(survivors(null, "ab12cd", () => true)).toEqual({ desired: 0, adopt: [], extra: [] });
  });
});

describe("replica and bridge command lines", () => {
  it("tick the replicas slower as the mesh grows past 25 a core, with the square of its size", () => {
    expect([5, 50, 51, 64, 100, 200, 256].map((n) => meshTickMs(2000, n, 2))).toEqual([2000, 2000, 3000, 4000, 8000, 32000, 53000]);
    expect(meshTickMs(2000, 200, 8)).toBe(2000);
    expect(meshTickMs(5000, 0, 0)).toBe(5000);
  });

  it("carry the fault primitives' flags and the tick in whole seconds, at least 1", () => {
    expect([netTicktime(2000), netTicktime(2001), netTicktime(100), netTicktime(60_000)]).toEqual([2, 3, 1, 60]);
    const a = replicaArgs({ nodeName: node(1), ebin: "/x/ebin", tickMs: 2500 }).join(" ");
    expect(a).toContain("-epmd_module swarmscope_epmd");
    expect(a).toContain("-kernel prevent_overlapping_partitions false");
    expect(a).toContain("-kernel net_ticktime 3");
    expect(a).toContain(`-name ${node(1)} -pa /x/ebin`);
    expect(a).toMatch(/-noshell -noinput .*-run swarmscope_node main$/);
    expect(a).not.toMatch(/setcookie/); // the cookie comes through HOME, never the command line
    // The look-ups without the native resolver: the file name as an Erlang string, quoted.
    const withRc = replicaArgs({ nodeName: node(1), ebin: "/x/ebin", tickMs: 2000, inetrc: '/d/a "b"\\c/inetrc' });
    expect(withRc.slice(withRc.indexOf("inetrc") - 1, withRc.indexOf("inetrc") + 2)).toEqual(["-kernel", "inetrc", '"/d/a \\"b\\"\\\\c/inetrc"']);
    expect(INETRC).toBe("{lookup, [file, dns]}.\n");
    expect(bridgeArgs({ nodeName: "bridge-ab12cd@127.0.0.1", ebin: "/x/ebin", tickMs: 1000 }).join(" ")).toContain("-hidden -name bridge-ab12cd@127.0.0.1 -pa /x/ebin -kernel net_ticktime 1");
  });
});

/** A replica process the runtime "started" (the spawn seam): the test ends it. */
class FakeProc implements ReplicaProcess {
  readonly adopted = false;
  readonly startedAt = Date.now();
  readonly signals: NodeJS.Signals[] = [];
  private cbs: ((how: string) => void)[] = [];
  constructor(
    readonly pid: number,
    readonly nodeName: string,
    readonly procStart: string | null = "1",
  ) {}
  signal(sig: NodeJS.Signals): boolean {
    this.signals.push(sig);
    return true;
  }
  poll(): void {}
  onExit(cb: (how: string) => void): void {
    this.cbs.push(cb);
  }
  exit(how: string): void {
    for (const cb of this.cbs.splice(0)) cb(how);
  }
}

describe("LocalRuntime reattaches what an earlier server left", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] }));
  afterEach(() => vi.useRealTimers());

  async function closeAll(rt: LocalRuntime, spawned: FakeProc[]): Promise<void> {
    const closing = rt.close();
    for (const p of spawned) p.exit("exit code 0");
    await closing;
  }

  function runtime() {
    const spawned: FakeProc[] = [];
    const rt = new LocalRuntime({
      deploymentId: "ab12cd",
      erlangHome: dir,
      ebin: "/x/ebin",
      env: { NODE_ENV: "test" },
      log: quiet,
      dataDir: dir,
      procRoot,
      spawn: (o: SpawnOptions) => {
        const p = new FakeProc(PID(100 + spawned.length), o.nodeName);
        spawned.push(p);
        queueMicrotask(o.onSpawn); // like the real 'spawn' event: later
        return p;
      },
    });
    return { rt, spawned };
  }

  it("adopts live replicas (same pids), starts only the missing, and lists them all in the data folder", async () => {
    for (const slot of [1, 3]) fakeProc(PID(slot), beam(node(slot)), `${slot}00`);
    fakeProc(PID(2), ["/usr/bin/vim"], "200"); // slot 2's pid now belongs to something else
    const before: LocalState = {
      version: 1,
      deploymentId: "ab12cd",
      desired: 3,
      replicas: [1, 2, 3].map((slot) => ({ slot, nodeName: node(slot), pid: PID(slot), startedAt: 1, procStart: `${slot}00`, restarts: 4 })),
    };
    writeLocalState(localStatePath(dir), before);
    const { rt, spawned } = runtime();
    expect(rt.resume()).toBe(2);
    expect(rt.desired()).toBe(3);
    await settle();
    expect(rt.list().map((r) => [r.id, r.state, r.pid, r.restarts])).toEqual([
      ["n1", "running", PID(1), 4],
      ["n2", "running", PID(100), 0],
      ["n3", "running", PID(3), 4],
    ]);
    expect(spawned.map((p) => p.nodeName)).toEqual([node(2)]);
    const after = readLocalState(localStatePath(dir))!;
    expect(after.desired).toBe(3);
    expect(after.replicas.map((e) => [e.slot, e.pid])).toEqual([
      [1, PID(1)],
      [2, PID(100)],
      [3, PID(3)],
    ]);
    await closeAll(rt, spawned);
  });

  it("notices an adopted replica's death by polling its pid, and restarts it after 1 s", async () => {
    fakeProc(PID(1), beam(node(1)), "100");
    writeLocalState(localStatePath(dir), { version: 1, deploymentId: "ab12cd", desired: 1, replicas: [{ slot: 1, nodeName: node(1), pid: PID(1), startedAt: 1, procStart: "100", restarts: 0 }] });
    const { rt, spawned } = runtime();
    const changes: string[] = [];
    rt.on("change", (l) => changes.push(l.map((r) => `${r.id}:${r.state}${r.error ? `(${r.error})` : ""}`).join(",")));
    rt.resume();
    fs.rmSync(path.join(procRoot, String(PID(1))), { recursive: true }); // it died; not our child, no exit status
    vi.advanceTimersByTime(250);
    expect(changes.at(-1)).toBe("n1:restarting(ended (exit status unknown: not started by this server))");
    expect(spawned).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    await settle();
    expect(spawned.map((p) => p.nodeName)).toEqual([node(1)]);
    expect(rt.list()[0]).toMatchObject({ id: "n1", state: "running", pid: PID(100), restarts: 1 });
    expect(rt.list()[0]!.error).toBeUndefined();
    await closeAll(rt, spawned);
  });

  it("a kill's reason is only the kill; the bridge's nodedown makes it look at once", async () => {
    const { rt, spawned } = runtime();
    rt.resume();
    await rt.scale(2);
    await rt.kill("n2");
    expect(spawned[1]!.signals).toEqual(["SIGKILL"]);
    spawned[1]!.exit("killed by SIGKILL");
    expect(rt.list()[1]).toMatchObject({ id: "n2", state: "restarting", error: "killed by SIGKILL" });
    await expect(rt.kill("n2")).rejects.toThrow("replica n2 is not running (restarting); it cannot be killed now");
    await expect(rt.kill("n7")).rejects.toThrow("no replica n7");

    fakeProc(PID(1), beam(node(3)), "300");
    writeLocalState(localStatePath(dir), { version: 1, deploymentId: "ab12cd", desired: 3, replicas: [{ slot: 3, nodeName: node(3), pid: PID(1), startedAt: 1, procStart: "300", restarts: 0 }] });
    const second = runtime();
    second.rt.resume();
    fs.rmSync(path.join(procRoot, String(PID(1))), { recursive: true });
    second.rt.nodeSeen(node(3), false); // a nodedown, before any poll
    expect(second.rt.list().find((r) => r.id === "n3")).toMatchObject({ state: "restarting" });
    await closeAll(rt, spawned);
    await closeAll(second.rt, second.spawned);
  });

  it("starts a large scale a few replicas a turn, so the server answers meanwhile; one scaled away before its turn never starts", async () => {
    const { rt, spawned } = runtime();
    rt.resume();
    await rt.scale(10);
    expect(spawned).toHaveLength(STARTS_PER_TURN);
    expect(rt.list()).toHaveLength(10);
    expect(rt.list().filter((r) => r.state === "starting" && r.pid === undefined)).toHaveLength(10 - STARTS_PER_TURN);
    await rt.scale(6); // slots 7-10 have not started yet
    await settle();
    await settle();
    expect(spawned.map((p) => p.nodeName)).toEqual([1, 2, 3, 4, 5, 6].map(node));
    expect(rt.list().map((r) => r.id)).toEqual(["n1", "n2", "n3", "n4", "n5", "n6"]);
    await closeAll(rt, spawned);
  });

  it("a graceful close stops every replica and empties the list", async () => {
    const { rt, spawned } = runtime();
    rt.resume();
    await rt.scale(3);
    const closing = rt.close();
    expect(spawned.map((p) => p.signals)).toEqual([["SIGTERM"], ["SIGTERM"], ["SIGTERM"]]);
    for (const p of spawned) p.exit("exit code 0");
    await closing;
    expect(rt.list()).toEqual([]);
    expect(readLocalState(localStatePath(dir))).toMatchObject({ desired: 0, replicas: [] });
  });
});
