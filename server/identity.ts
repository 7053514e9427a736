import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Per data folder: a deployment id (replica names carry it, so two dashboards never touch each
 * other's nodes) and a random Erlang cookie, in `<data>/cookie` (mode 0600) for users, and in
 * `<data>/erlang-home/.erlang.cookie` (mode 0400) where `erl` finds it through HOME, so the cookie
 * never appears on a command line, in the code, or in a log.
 */
export interface Identity {
  deploymentId: string;
  cookie: string;
  cookieFile: string;
  erlangHome: string;
}

function readOrCreate(file: string, make: () => string, mode: number): string {
  try {
    const v = fs.readFileSync(file, "utf8").trim();
    if (v) return v;
  } catch {
    /* absent: create below */
  }
  const v = make();
  fs.writeFileSync(file, v, { mode });
  fs.chmodSync(file, mode);
  return v;
}

export function loadIdentity(dataDir: string): Identity {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const deploymentId = readOrCreate(path.join(dataDir, "deployment-id"), () => randomBytes(3).toString("hex"), 0o644);
  if (!/^[a-z0-9]{4,12}$/.test(deploymentId)) throw new Error(`${dataDir}/deployment-id is not a valid id`);
  const cookieFile = path.join(dataDir, "cookie");
  // Letters only: a cookie is an atom, and this one needs no quoting anywhere.
  const cookie = readOrCreate(
    cookieFile,
    () => Array.from(randomBytes(32), (b) => String.fromCharCode(65 + (b % 26))).join(""),
    0o600,
  );
  const erlangHome = path.join(dataDir, "erlang-home");
  fs.mkdirSync(erlangHome, { recursive: true, mode: 0o700 });
  const erlCookie = path.join(erlangHome, ".erlang.cookie");
  let current = "";
  try {
    current = fs.readFileSync(erlCookie, "utf8");
  } catch {
    /* absent */
  }
  if (current !== cookie) {
    if (current) fs.chmodSync(erlCookie, 0o600);
    fs.writeFileSync(erlCookie, cookie, { mode: 0o400 });
    fs.chmodSync(erlCookie, 0o400);
  }
  return { deploymentId, cookie, cookieFile, erlangHome };
}
