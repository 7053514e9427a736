import fc from "fast-check";
import { Marked } from "marked";
import { describe, expect, it } from "vitest";
import { fuzzSeed } from "../tests/fuzz-seed";
import type { ClusterDTO, StatsDTO } from "../lib/contracts/http-replies";
import { csvField } from "./export";
import { mdCode, mdText } from "./export-markdown";
import { buildReport, type ReportInput } from "./export-report";
import { emptyTally } from "./export-tally";

// The evidence report puts outside text (message content, node names, hosts, reasons) into
// Markdown. Rendered by a GFM renderer with raw HTML on (marked's default), none of it may become
// markup, and none may break a table; the CSV export keeps spreadsheets from running formulas.

const gfm = new Marked({ gfm: true });
const render = (md: string) => gfm.parse(md, { async: false });
const inline = (md: string) => gfm.parseInline(md, { async: false });
const decode = (html: string) =>
  html.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!);
const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, ""));

const runs = { seed: fuzzSeed("markdown/CSV escaping"), numRuns: 2000 };

/** The visible text of a one-line value after clean-up (mdText/mdCode clip and flatten it). */
const flat = (s: string) => s.replace(/\r\n|\r|\n/g, " ⏎ ").replace(/\t/g, " ").replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, "\ufffd");

const hostile = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  "![t](http://evil.example/t.png)",
  "[click](javascript:alert(1))",
  "http://evil.example/x and www.evil.example",
  "**bold** _it_ ~~gone~~ `code`",
  "&lt;b&gt; &amp; &#60;",
  "| a | b |\n| --- | --- |",
  "line one\nline two\r\n# heading",
  "a\\|b \\\\| c",
  "``` fence ` tick ``",
  "evil\u202etxt.exe",
];

describe("Markdown escaping (rendered with marked, GFM, raw HTML allowed)", () => {
  it("mdText renders as exactly its text, with no tag, for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.constantFrom(...hostile)), (s) => {
        const html = inline(mdText(s, 1000));
        expect(html).not.toMatch(/<(?!br>)[a-z]/i);
        expect(textOf(html)).toBe(flat(s));
      }),
      runs,
    );
  });

  it("mdCode and mdText never add or remove a table cell", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.constantFrom(...hostile)), fc.boolean(), (s, code) => {
        const cell = code ? mdCode(s) : mdText(s);
        const html = render(`| a | b |\n| --- | --- |\n| ${cell} | end |\n`);
        expect(html.match(/<td>/g)).toHaveLength(2);
        expect(html).toMatch(/<td>end<\/td>/);
        expect(html).not.toMatch(/<(script|img|a|em|strong|del)\b/i);
      }),
      runs,
    );
  });

  it("the evidence report shows hostile content, names and reasons as text", () => {
    const evil = hostile.join(" ");
    const name = (i: number) => `${hostile[i]}@evil`;
    const cluster: ClusterDTO = {
      runtime: "local", deploymentId: "abc123", desiredReplicas: 1, progress: null, runtimeStatus: { ready: true }, strangers: [], hosts: [],
      bridge: { status: "up", node: name(1) },
      nodes: [{ name: name(0), status: "up", host: hostile[2]!, slot: 1, links: [], sent: 0, received: 0, replica: null, flags: [], since: 0 }],
    };
    const none = { p50: null, p95: null, p99: null };
    const stats: StatsDTO = {
      sent: 1, received: 0, acked: 0, lost: 1, inFlight: 0, failed: 0, perNode: {}, latencyMs: none, latencyByKind: { "one-way": none, "half-rtt": none },
      reconciled: { ok: false, pairs: 1, nodes: 1, mismatches: [{ from: name(0), to: name(3), field: "received", dashboard: 0, node: 1 }] },
      store: { ok: false, since: 0, lastError: evil, waiting: 0 }, at: 0,
    };
    const lostOne = { ...emptyTally(), sent: 1, lost: 1, rows: 1 };
    const input: ReportInput = {
      generatedAt: 0, deployment: "abc123", range: {}, cluster, stats, latency: [],
      books: { tally: lostOne, bySender: new Map([[name(0), { ...lostOne }]]), inbound: new Map(), span: { first: 1, last: 1 } },
      pairs: [{ pair: 1, from: name(0), to: name(3), sent: 1, received: 0, acked: 0, lost: 1, inFlight: 0 }],
      lost: [{ reason: hostile[4]!, n: 1, examples: [{ id: hostile[5]!, from: name(0), to: name(3), sentAt: 1, createdAt: 1 }] }],
      failed: [],
      seed: [{ from: name(7), to: name(0), n: 1, first: 1, last: 1, example: evil }],
      nodeEvents: [{ at: 1, kind: "nodedown", node: name(0), text: `down (${hostile[6]})` }],
      activity: [{ at: 1, kind: "traffic", text: hostile[3]! }],
    };
    const html = render(buildReport(input));
    expect(html).not.toMatch(/<(script|img|a|em|del)\b/i);
    expect(html).not.toMatch(/<[a-z][^>]*(onerror|href|src)=/i); // as text, never as an attribute
    for (const table of html.split("<table>").slice(1)) {
      const width = (table.match(/<th[ >]/g) ?? []).length;
      for (const row of table.split("</thead>")[1]!.split("<tr>").slice(1)) expect(row.match(/<td[ >]/g) ?? []).toHaveLength(width);
    }
    const text = textOf(html);
    expect(text).toContain(flat(evil).slice(0, 39)); // the seed example, clipped at 40 characters
    expect(text).toContain(hostile[4]);
    expect(text).toContain(name(0));
    expect(text).toContain(hostile[3]);
  });
});

describe("CSV formula protection", () => {
  /** The cells of one RFC 4180 line. */
  const cells = (line: string) => {
    const out: string[] = [];
    const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/y;
    for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) out.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]!);
    return out;
  };

  it("no field starts a formula, and each reads back as its text (after the guard's apostrophe)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\t=x", "\r=x")), (s) => {
        const f = csvField(s);
        const value = cells(`${f},x`)[0]!;
        expect(value).not.toMatch(/^[=+\-@\t\r]/);
        expect(value).toBe(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      }),
      runs,
    );
  });
});
