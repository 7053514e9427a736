import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Per data folder: a deployment id (replica names carry it, so two dashboards never touch each
 * other's nodes) and a random Erlang cookie, in `<data>/cookie` (mode 0600) for users, and in
 * `<data>/erlang-home/.erlang.cookie` (mode 0400) where `erl` finds it through HOME, so the cookie
 * never appears on a command line, in the code, or in a log. The folder is 0700 and the cookie
 * 0600: a wider mode found at start is refused, with the command that fixes it.
 */
export interface Identity {
  deploymentId: string;
  cookie: string;
  cookieFile: string;
  erlangHome: string;
}

/** Stops the start when group or others may read (or write) `file`: `max` is the widest mode allowed. */
export function requirePrivate(file: string, max: number): void {
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & ~max) === 0) return;
  const what = fs.statSync(file).isDirectory() ? "folder" : "file";
  throw new Error(
    `${file} has mode ${mode.toString(8).padStart(4, "0")}: other users of this machine could read the Erlang cookie ` +
      `(and with it run code on every node). Fix it with: chmod ${max.toString(8)} ${shellQuote(file)}   (this ${what} must be ${max.toString(8).padStart(4, "0")} or narrower)`,
  );
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function readOrCreate(file: string, make: () => string, mode: number, private_ = false): string {
  if (fs.existsSync(file)) {
    if (private_) requirePrivate(file, mode);
    const v = fs.readFileSync(file, "utf8").trim();
    if (v) return v;
  }
  const v = make();
  fs.writeFileSync(file, v, { mode });
  fs.chmodSync(file, mode);
  return v;
}

function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  requirePrivate(dir, 0o700);
}

export function loadIdentity(dataDir: string): Identity {
  privateDir(dataDir);
  const deploymentId = readOrCreate(path.join(dataDir, "deployment-id"), () => randomBytes(3).toString("hex"), 0o644);
  if (!/^[a-z0-9]{4,12}$/.test(deploymentId)) throw new Error(`${dataDir}/deployment-id is not a valid id`);
  const cookieFile = path.join(dataDir, "cookie");
  // Letters only: a cookie is an atom, and this one needs no quoting anywhere.
  const cookie = readOrCreate(
    cookieFile,
    () => Array.from(randomBytes(32), (b) => String.fromCharCode(65 + (b % 26))).join(""),
    0o600,
    true,
  );
  const erlangHome = path.join(dataDir, "erlang-home");
  privateDir(erlangHome);
  writeErlangCookie(path.join(erlangHome, ".erlang.cookie"), cookie);
  return { deploymentId, cookie, cookieFile, erlangHome };
}

function writeErlangCookie(erlCookie: string, cookie: string): void {
  let current = "";
  try {
    current = fs.readFileSync(erlCookie, "utf8");
  } catch {
    /* absent */
  }
  if (current !== cookie) {
    if (current) fs.chmodSync(erlCookie, 0o600);
    fs.writeFileSync(erlCookie, cookie, { mode: 0o400 });
  }
  fs.chmodSync(erlCookie, 0o400); // erl refuses a cookie file others can read; we never leave one
}
