import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tarFiles } from "./swarm-tar";

describe("tarFiles", () => {
  it("writes an archive that tar lists and extracts with names, modes and contents", () => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/file.beam`; // > 100 bytes: uses the ustar prefix
    const tar = tarFiles([
      { name: "stack/entrypoint.sh", data: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
      { name: ".erlang.cookie", data: Buffer.from("SECRET"), mode: 0o400 },
      { name: long, data: Buffer.alloc(1500, 7) },
    ]);
    expect(tar.length % 512).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-tar-"));
    try {
      fs.writeFileSync(path.join(dir, "a.tar"), tar);
      const listing = execFileSync("tar", ["-tvf", "a.tar"], { cwd: dir, encoding: "utf8" });
      expect(listing).toContain("-rwxr-xr-x");
      expect(listing).toContain("-r--------");
      execFileSync("tar", ["-xf", "a.tar"], { cwd: dir });
      expect(fs.readFileSync(path.join(dir, "stack/entrypoint.sh"), "utf8")).toBe("#!/bin/sh\necho hi\n");
      expect(fs.readFileSync(path.join(dir, ".erlang.cookie"), "utf8")).toBe("SECRET");
      expect(fs.readFileSync(path.join(dir, long))).toEqual(Buffer.alloc(1500, 7));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a name that cannot fit a ustar header", () => {
    expect(() => tarFiles([{ name: "x".repeat(300), data: Buffer.alloc(0) }])).toThrow(/too long/);
  });
});
