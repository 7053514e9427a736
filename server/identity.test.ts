import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadIdentity } from "./identity";

describe("loadIdentity: private data folder and cookie", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ss-id-")), "data");
    dirs.push(path.dirname(d));
    return d;
  };
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("creates the folder 0700, the cookie 0600, erl's copy 0400, and reads them back", () => {
    const dir = fresh();
    const id = loadIdentity(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(id.cookieFile)).toBe(0o600);
    expect(mode(id.erlangHome)).toBe(0o700);
    expect(mode(path.join(id.erlangHome, ".erlang.cookie"))).toBe(0o400);
    expect(id.cookie).toMatch(/^[A-Z]{32}$/);
    expect(loadIdentity(dir)).toEqual(id);
  });

  it("refuses a data folder others can enter, with the chmod that fixes it", () => {
    const dir = fresh();
    loadIdentity(dir);
    fs.chmodSync(dir, 0o755);
    expect(() => loadIdentity(dir)).toThrow(`${dir} has mode 0755`);
    expect(() => loadIdentity(dir)).toThrow(`Fix it with: chmod 700 ${dir}`);
    fs.chmodSync(dir, 0o700);
    expect(() => loadIdentity(dir)).not.toThrow();
  });

  it("refuses a cookie file others can read, with the chmod that fixes it; 0400 is fine", () => {
    const dir = fresh();
    const { cookieFile } = loadIdentity(dir);
    fs.chmodSync(cookieFile, 0o644);
    expect(() => loadIdentity(dir)).toThrow(/has mode 0644: other users of this machine could read the Erlang cookie/);
    expect(() => loadIdentity(dir)).toThrow(`chmod 600 ${cookieFile}`);
    fs.chmodSync(cookieFile, 0o400);
    expect(() => loadIdentity(dir)).not.toThrow();
  });

  it("refuses a wide erlang-home too, and quotes a path with spaces in the fix", () => {
    const dir = path.join(fresh(), "my data");
    const { erlangHome } = loadIdentity(dir);
    fs.chmodSync(erlangHome, 0o750);
    expect(() => loadIdentity(dir)).toThrow(`chmod 700 '${erlangHome}'`);
  });
});
