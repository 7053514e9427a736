import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tar from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { buildContext, imageTag, tarOf } from "./swarm-image";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-image-"));
fs.mkdirSync(path.join(root, "stack"));
fs.mkdirSync(path.join(root, "erlang", "ebin"), { recursive: true });
fs.writeFileSync(path.join(root, "stack", "Dockerfile"), "FROM base\n");
fs.writeFileSync(path.join(root, "stack", "entrypoint.sh"), "#!/bin/sh\n");
for (const m of ["swarmscope_node", "swarmscope_bridge", "swarmscope_bench"]) {
  fs.writeFileSync(path.join(root, "erlang", "ebin", `${m}.beam`), `beam of ${m}`);
}
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The entries of a tar stream, read back with tar-stream's parser. */
async function untar(stream: NodeJS.ReadableStream): Promise<Array<{ name: string; mode: number; text: string }>> {
  const out: Array<{ name: string; mode: number; text: string }> = [];
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ name: entry.header.name, mode: entry.header.mode ?? -1, text: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe("the node image's build context", () => {
  it("holds the Dockerfile, the entrypoint (executable) and the node app, but not the bench module", async () => {
    const entries = await buildContext(root);
    expect(entries.map((e) => e.name)).toEqual([
      "stack/Dockerfile",
      "stack/entrypoint.sh",
      "erlang/ebin/swarmscope_bridge.beam",
      "erlang/ebin/swarmscope_node.beam",
    ]);
    const files = await untar(tarOf(entries));
    expect(files.map((f) => [f.name, f.mode.toString(8)])).toEqual(entries.map((e) => [e.name, (e.mode ?? 0o644).toString(8)]));
    expect(files.find((f) => f.name === "stack/entrypoint.sh")?.mode).toBe(0o755);
    expect(files.find((f) => f.name === "erlang/ebin/swarmscope_node.beam")?.text).toBe("beam of swarmscope_node");
  });

  it("is tagged by its content: the bench module does not change the tag", async () => {
    const before = imageTag(await buildContext(root), "base:1");
    fs.writeFileSync(path.join(root, "erlang", "ebin", "swarmscope_bench.beam"), "another bench");
    expect(imageTag(await buildContext(root), "base:1")).toBe(before);
    fs.writeFileSync(path.join(root, "erlang", "ebin", "swarmscope_node.beam"), "new node code");
    expect(imageTag(await buildContext(root), "base:1")).not.toBe(before);
  });

  it("says what to run when erlang/ebin has no compiled modules", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-image-empty-"));
    try {
      await expect(buildContext(empty)).rejects.toThrow(/npm run build:erlang/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
