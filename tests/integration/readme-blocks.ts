import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Code, Nodes, Parent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";

// The README's fenced blocks and what the tests do with them. A block is tagged by an HTML comment
// right before it: `<!-- run: NAME -->` (the README test runs it and checks what NAME claims) or
// `<!-- not run: the reason -->`. Blocks marked `text` (output, diagrams) need no tag.

export type BlockTag = { run: string } | { notRun: string };

export interface ReadmeBlock {
  lang: string;
  code: string;
  line: number;
  tag: BlockTag | null;
}

const TAG = /^<!--\s*(run|not run):\s*(.+?)\s*-->$/;

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const out: ReadmeBlock[] = [];
  const visit = (node: Nodes) => {
    if (!("children" in node)) return;
    (node as Parent).children.forEach((child, i, all) => {
      if (child.type === "code") out.push(block(child, all[i - 1]));
      else visit(child as Nodes);
    });
  };
  visit(fromMarkdown(markdown));
  return out;
}

function block(code: Code, before: Nodes | undefined): ReadmeBlock {
  const m = before?.type === "html" ? TAG.exec(before.value.trim()) : null;
  const tag: BlockTag | null = m ? (m[1] === "run" ? { run: m[2]! } : { notRun: m[2]! }) : null;
  return { lang: code.lang ?? "", code: code.value, line: code.position?.start.line ?? 0, tag };
}

/** One curl call a block made: what the wrapper recorded. */
export interface CurlCall {
  status: number;
  method: string;
  contentType: string | null;
  url: string;
  body: unknown;
}

export interface BlockRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  calls: CurlCall[];
  ms: number;
}

// Every curl of a block goes through this function: the real curl, its reply kept in a file and
// written to stdout as usual (so pipes into jq work), its status, method, type and URL recorded.
const PRELUDE = `set -euo pipefail
curl() {
  local body meta
  body=$(mktemp "$README_RUN/body.XXXXXX")
  meta=$(command curl -w '%{http_code}\\t%{method}\\t%{content_type}\\t%{url_effective}' -o "$body" "$@") || return
  printf '%s\\t%s\\n' "$meta" "$body" >> "$README_RUN/calls"
  cat "$body"
}
`;

/** Runs a shell block with bash (strict mode), in `cwd`, with `env` added; killed after `timeoutMs`. */
export async function runShellBlock(code: string, opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<BlockRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-run-"));
  fs.writeFileSync(path.join(dir, "calls"), "");
  const t0 = Date.now();
  const proc = spawn("bash", ["-c", PRELUDE + code], { cwd: opts.cwd, env: { ...process.env, ...opts.env, README_RUN: dir }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => proc.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  const calls = readCalls(path.join(dir, "calls"));
  fs.rmSync(dir, { recursive: true, force: true });
  return { exitCode, stdout, stderr, calls, ms: Date.now() - t0 };
}

function readCalls(file: string): CurlCall[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [status, method, contentType, url, bodyFile] = line.split("\t") as [string, string, string, string, string];
      const text = fs.readFileSync(bodyFile, "utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: Number(status), method, contentType: contentType || null, url, body };
    });
}

/** The README's placeholders with the real values: `<token>`, the port, n1's node name. */
export function substitute(code: string, real: { token: string; port: string; n1: string }): string {
  return code.replaceAll("<token>", real.token).replaceAll("127.0.0.1:3000", `127.0.0.1:${real.port}`).replaceAll("n1-ab12cd@127.0.0.1", real.n1);
}
