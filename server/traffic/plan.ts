import type { TrafficBody } from "../../lib/contracts/http-requests";
import type { TrafficCommand } from "../bridge/protocol";
import { ApiError } from "../errors";

export type { TrafficPattern as Pattern } from "../../lib/contracts/common";
/** POST /api/traffic's body. */
export type TrafficRequest = TrafficBody;

export interface TrafficPlan {
  run: string;
  commands: TrafficCommand[];
  expected: number;
}

/**
 * Turns a pattern into one generator per sending node. Generators run inside the sender nodes
 * (erlang/PROTOCOL.md, ss_traffic): the bridge only starts and stops them.
 */
export function planTraffic(req: TrafficRequest, up: string[], run: string, rand: () => number = Math.random): TrafficPlan {
  if (up.length < 2) throw new ApiError(409, `traffic needs at least 2 nodes up; ${up.length} up`);
  for (const n of [req.from, req.to]) {
    if (n !== undefined && !up.includes(n)) throw new ApiError(404, `node ${n} is not up (up: ${up.join(", ")})`);
  }
  const content = req.content ?? `${req.pattern}`;
  const rounds = req.rounds ?? (req.pattern === "random" ? 10 : 1);
  const cmd = (tag: number, node: string, targets: string[], count: number, rate: number, order: TrafficCommand["order"] = "cycle") => ({
    t: "traffic" as const, run, tag: String(tag), node, targets, rate, count, order, content,
  });
  const pick = () => up[Math.floor(rand() * up.length)]!;
  switch (req.pattern) {
    case "one": {
      const from = req.from ?? pick();
      const to = req.to ?? up.filter((n) => n !== from)[Math.floor(rand() * (up.length - 1))]!;
      if (from === to) throw new ApiError(400, "from and to must differ");
      return { run, commands: [cmd(1, from, [to], rounds, req.rate ?? 0)], expected: rounds };
    }
    case "broadcast": {
      const from = req.from ?? pick();
      const targets = up.filter((n) => n !== from);
      return { run, commands: [cmd(1, from, targets, targets.length * rounds, req.rate ?? 0)], expected: targets.length * rounds };
    }
    case "ring": {
      const commands = up.map((n, i) => cmd(i + 1, n, [up[(i + 1) % up.length]!], rounds, perNode(req.rate, up.length)));
      return { run, commands, expected: up.length * rounds };
    }
    case "random": {
      const commands = up.map((n, i) => cmd(i + 1, n, up.filter((x) => x !== n), rounds, perNode(req.rate, up.length), "random"));
      return { run, commands, expected: up.length * rounds };
    }
    case "storm": {
      const rate = req.rate ?? 1000;
      const duration = req.durationS ?? 10;
      if (rate <= 0) throw new ApiError(400, "storm needs a rate above 0 messages/s");
      const each = Math.max(1, Math.round((rate * duration) / up.length));
      const commands = up.map((n, i) => cmd(i + 1, n, up.filter((x) => x !== n), each, perNode(rate, up.length), "random"));
      return { run, commands, expected: each * up.length };
    }
  }
}

function perNode(rate: number | undefined, nodes: number): number {
  if (!rate) return 0;
  return Math.max(1, Math.round(rate / nodes));
}
