// Send → row visible in Chromium: a message posted from the page, timed until its timeline row
// shows `received` or `acked` (the status the receiver reported), whether or not the POST's
// answer has reached the page by then (a row the page shows first is seen first). Each sample is
// split into hops, all on this machine's clock (the page's performance.timeOrigin + now, the
// replicas' stamps): post (fetch → the server answered), the replica's sentAt and receivedAt, the
// socket frame that carried the reception (seen by a WebSocket listener installed before the app
// loads), and the row.
import { type ServerHandle, percentile } from "../tests/integration/harness";
import { io } from "socket.io-client";
import { launchChromium, wsTap } from "./chromium";

const SAMPLES = Number(process.env.BENCH_VISIBLE_SAMPLES ?? 200);

/** One sample, in ms from the click's t0 (epoch ms on the page's clock). */
export interface VisibleSample {
  id: string;
  t0: number;
  total: number;
  posted: number;
  sentAt: number;
  receivedAt: number;
  frame: number;
}

export interface VisibleResult {
  samples: number;
  p50: number;
  p99: number;
  /** Medians of each hop (ms): where the milliseconds go. */
  hops: Record<string, number>;
}

const WS_TAP = wsTap(`d.includes('"messages"')`, "performance.timeOrigin + performance.now()");

const PROBE = `(async ({ token, from, to, samples }) => {
  const out = [];
  const clock = () => performance.timeOrigin + performance.now();
  const arrived = (st) => st === "received" || st === "acked";
  // When each row first showed its message arrived: the row can show before the POST's answer
  // (which carries the id) reaches the page, and the user sees it then.
  const shownAt = new Map();
  let waiting = null; // the sample's id, and what to call once its row shows
  const note = () => {
    const at = clock();
    for (const row of document.querySelectorAll('[data-testid="timeline-row"]')) {
      const id = row.getAttribute("data-id");
      if (id && !shownAt.has(id) && arrived(row.getAttribute("data-status"))) shownAt.set(id, at);
    }
    if (waiting && shownAt.has(waiting.id)) waiting.resolve();
  };
  const watch = new MutationObserver(note);
  watch.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
  for (let i = 0; i < samples; i++) {
    window.__benchFrames.length = 0;
    performance.mark("probe-send");
    const t0 = clock();
    const res = await fetch("/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + token },
      body: JSON.stringify({ from, to, content: "visible " + i }),
    });
    const ids = (await res.json()).ids;
    const posted = clock();
    if (!shownAt.has(ids[0])) await new Promise((resolve) => (waiting = { id: ids[0], resolve }));
    waiting = null;
    const t1 = shownAt.get(ids[0]);
    performance.mark("probe-visible");
    let frame = NaN, sentAt = NaN, receivedAt = NaN;
    for (const [at, data] of window.__benchFrames) {
      const body = JSON.parse(data.slice(data.indexOf("[")))[1];
      const m = body.messages.find((x) => x.id === ids[0] && arrived(x.status));
      if (m) { frame = at - t0; sentAt = m.sentAt - t0; receivedAt = m.receivedAt - t0; break; }
    }
    out.push({ id: ids[0], t0, total: t1 - t0, posted: posted - t0, sentAt, receivedAt, frame });
    await new Promise((r) => setTimeout(r, 20));
  }
  watch.disconnect();
  return out;
})`;

/** What the timeline shows as arrived: the receiver reported it. */
const arrived = (status: string | undefined) => status === "received" || status === "acked";
const median = (xs: number[]) => percentile([...xs].filter(Number.isFinite).sort((a, b) => a - b), 50);
const r1 = (v: number) => Math.round(v * 10) / 10;

/** The hops' medians: each the time from the previous stamp to the next. */
function hops(samples: VisibleSample[]): Record<string, number> {
  return {
    postAnswered: r1(median(samples.map((s) => s.posted))),
    untilSenderSent: r1(median(samples.map((s) => s.sentAt))),
    sentToReceived: r1(median(samples.map((s) => s.receivedAt - s.sentAt))),
    receivedToSocketFrame: r1(median(samples.map((s) => s.frame - s.receivedAt))),
    socketFrameToRow: r1(median(samples.map((s) => s.total - s.frame))),
  };
}

/** The server's `[trace]` lines (SWARMSCOPE_TRACE=1): handler entries of the POSTs in order, pushes by message. */
interface ServerTrace {
  /** The HTTP server's request events of the POSTs (before Next.js routes them). */
  reqIn: number[];
  apiIn: number[];
  apiOut: number[];
  /** id → [first change, last change, push] of the push that carried it received or acked. */
  pushed: Map<string, [number, number, number]>;
}

function collectTrace(stderr: NodeJS.ReadableStream): { trace: ServerTrace; stop: () => void } {
  const trace: ServerTrace = { reqIn: [], apiIn: [], apiOut: [], pushed: new Map() };
  let rest = "";
  const onData = (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop()!;
    for (const l of lines) {
      const req = /^\[trace\] req ([\d.]+) POST \/api\/messages/.exec(l);
      if (req) trace.reqIn.push(Number(req[1]));
      const api = /^\[trace\] api ([\d.]+) POST \/api\/messages in=([\d.]+)/.exec(l);
      if (api) {
        trace.apiIn.push(Number(api[2]));
        trace.apiOut.push(Number(api[1]));
      }
      const push = /^\[trace\] push ([\d.]+) changed=([\d.]+)\.\.([\d.]+) (.*)$/.exec(l);
      for (const item of push?.[4]!.split(",") ?? []) {
        const [id, status] = item.split(":");
        if (arrived(status) && !trace.pushed.has(id!)) trace.pushed.set(id!, [Number(push![2]), Number(push![3]), Number(push![1])]);
      }
    }
  };
  stderr.on("data", onData);
  return { trace, stop: () => stderr.off("data", onData) };
}

/** The server's side of each sample, when traced: POST → handler, received → server → push → page. */
function serverHops(samples: VisibleSample[], trace: ServerTrace): Record<string, number> {
  const apiIn = trace.apiIn.slice(-samples.length);
  const apiOut = trace.apiOut.slice(-samples.length);
  const at = (s: VisibleSample) => trace.pushed.get(s.id);
  const over = (f: (s: VisibleSample, p: [number, number, number], i: number) => number) =>
    r1(median(samples.flatMap((s, i) => (at(s) ? [f(s, at(s)!, i)] : []))));
  const reqIn = trace.reqIn.slice(-samples.length);
  return {
    postToServer: r1(median(samples.map((s, i) => (reqIn[i] ?? NaN) - s.t0))),
    serverToHandler: r1(median(samples.map((_, i) => (apiIn[i] ?? NaN) - (reqIn[i] ?? NaN)))),
    postToHandler: r1(median(samples.map((s, i) => (apiIn[i] ?? NaN) - s.t0))),
    handler: r1(median(samples.map((_, i) => (apiOut[i] ?? NaN) - (apiIn[i] ?? NaN)))),
    handlerToAnswered: r1(median(samples.map((s, i) => s.t0 + s.posted - (apiOut[i] ?? NaN)))),
    receivedToServer: over((s, p) => p[1] - s.t0 - s.receivedAt),
    serverToPush: over((_, p) => p[2] - p[1]),
    pushToSocketFrame: over((s, p) => s.t0 + s.frame - p[2]),
  };
}

/**
 * A socket.io client in this process beside the page: when each message's reception reached it,
 * id → epoch ms. Against the page's frame it splits the server → page hop into the server's
 * writing (server → here) and the browser's delivering (here → the page's WebSocket listener).
 */
function nodeTap(url: string, token: string): { firstAt: Map<string, number>; close: () => void } {
  const firstAt = new Map<string, number>();
  const socket = io(url, { auth: { token }, transports: ["websocket"] });
  socket.on("messages", (b: { messages?: { id: string; status: string }[] }) => {
    const at = performance.timeOrigin + performance.now();
    for (const m of b.messages ?? []) if (arrived(m.status) && !firstAt.has(m.id)) firstAt.set(m.id, at);
  });
  return { firstAt, close: () => socket.disconnect() };
}

/** Needs a running server (production build) with `from` and `to` up; with its process and SWARMSCOPE_TRACE=1, the server's hops too. */
export async function visibleLatency(s: Pick<ServerHandle, "url" | "token"> & { proc?: ServerHandle["proc"] }, from: string, to: string): Promise<VisibleResult> {
  const tap = s.proc?.stderr ? collectTrace(s.proc.stderr) : null;
  const beside = nodeTap(s.url, s.token);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(WS_TAP);
    await page.goto(`${s.url}/?token=${s.token}`);
    await page.getByTestId("timeline").waitFor();
    // BENCH_VISIBLE_CSS: style rules added to the page, to try a style change without a rebuild.
    if (process.env.BENCH_VISIBLE_CSS) await page.addStyleTag({ content: process.env.BENCH_VISIBLE_CSS });
    await page.waitForTimeout(1000);
    // BENCH_VISIBLE_CHROME_TRACE=file: Chrome's own trace of the sampling (open it in DevTools' Performance panel).
    const chromeTrace = process.env.BENCH_VISIBLE_CHROME_TRACE;
    if (chromeTrace) await browser.startTracing(page, { path: chromeTrace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing", "disabled-by-default-v8.cpu_profiler"] });
    const samples = (await page.evaluate(`${PROBE}(${JSON.stringify({ token: s.token, from, to, samples: SAMPLES })})`)) as VisibleSample[];
    if (chromeTrace) await browser.stopTracing();
    const totals = samples.map((x) => x.total).sort((a, b) => a - b);
    const traced = tap && tap.trace.apiIn.length > 0 ? serverHops(samples, tap.trace) : {};
    const here = (x: VisibleSample) => beside.firstAt.get(x.id) ?? NaN;
    const split = {
      receivedToNodeClient: r1(median(samples.map((x) => here(x) - x.t0 - x.receivedAt))),
      nodeClientToSocketFrame: r1(median(samples.map((x) => x.t0 + x.frame - here(x)))),
      ...(tap ? { pushToNodeClient: r1(median(samples.map((x) => here(x) - (tap.trace.pushed.get(x.id)?.[2] ?? NaN)))) } : {}),
    };
    return { samples: totals.length, p50: r1(percentile(totals, 50)), p99: r1(percentile(totals, 99)), hops: { ...hops(samples), ...traced, ...split } };
  } finally {
    beside.close();
    tap?.stop();
    await browser.close();
  }
}
