import type { ReplayMark } from "../../contracts/replay";
import { clock } from "../format";
import type { ReplayWindow } from "./mode";

// The windows the replay picker offers, from the marks GET /api/replay answers (deploys and
// traffic runs of the whole history): the last run, the recent minutes, each recent deployment.

/** After a run ends, its last acks and loss verdicts still come: the window runs on this long. */
export const RUN_TAIL_MS = 3000;
const STARTED = /^traffic (\w+) started/;
const ENDED = /^traffic (\w+) (finished|stopped)/;
const DEPLOY = /^deploy\/scale to (\d+) requested/;

/** The last traffic run: from its start to its end (or now) and a little after. */
export function lastRun(marks: ReplayMark[], now: number): ReplayWindow | null {
  const i = marks.findLastIndex((m) => m.kind === "traffic" && STARTED.test(m.text));
  if (i < 0) return null;
  const start = marks[i]!;
  const end = marks.slice(i + 1).find((m) => m.kind === "traffic" && ENDED.test(m.text));
  const pattern = STARTED.exec(start.text)![1];
  return { since: start.at - 1000, until: Math.min(now, (end?.at ?? now) + RUN_TAIL_MS), label: `last run (${pattern}, ${clock(start.at)})` };
}

/** The last `minutes` minutes up to now. */
export function lastMinutes(minutes: number, now: number): ReplayWindow {
  return { since: now - minutes * 60_000, until: now, label: `last ${minutes} minute${minutes === 1 ? "" : "s"}` };
}

/** Each deploy asked (newest first, at most `max`): from the request to the next one (or now). */
export function deployments(marks: ReplayMark[], now: number, max = 6): ReplayWindow[] {
  const asks = marks.filter((m) => m.kind === "deploy" && (DEPLOY.test(m.text) || m.text.startsWith("remove requested")));
  return asks
    .map((m, i) => {
      const n = DEPLOY.exec(m.text)?.[1];
      return { since: m.at - 1000, until: asks[i + 1]?.at ?? now, label: `${n ? `deploy to ${n}` : "remove all"} at ${clock(m.at)}` };
    })
    .reverse()
    .slice(0, max);
}
