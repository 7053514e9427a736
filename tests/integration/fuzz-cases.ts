import http from "node:http";
import fc from "fast-check";
import { routeList } from "../../lib/contracts/routes";

// Generators of hostile API calls for tests/integration/fuzz-api.test.ts, and a raw keep-alive
// HTTP client that sends paths as they are (fetch would normalise `..` and re-encode).

export interface FuzzCase {
  method: string;
  /** Raw request target: path (with `..`, `%00`, ... left as generated) and query. */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Which route of the table it was made from (for the statistics). */
  route: string;
  auth: "control" | "view" | "none" | "wrong" | "junk";
}

export interface Tokens {
  control: string;
  view: string;
  /** Names of nodes that exist: mutated, never used as they are (a real kill would change the state). */
  nodes: string[];
}

/** Visible ASCII but the URL delimiters, so a raw segment stays one segment of a valid request line. */
const rawSafe = (s: string) => s.replace(/[^\x21-\x7e]|[/?#%]/g, (c) => encodeURIComponent(c));

const hostileSegments = ["..", "../..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%00", "a%00b", "%", "%zz", "%ff%fe", ".", "~", "*", "'", "%22%3Cscript%3E"];

/** A path segment: random text (percent-encoded, or raw where the request line allows), traversal, NUL, very long. */
export function segment(t: Tokens): fc.Arbitrary<string> {
  const real = fc.constantFrom(...(t.nodes.length ? t.nodes : ["n1-abc@127.0.0.1"]));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map(rawSafe) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileSegments) },
    { weight: 2, arbitrary: fc.tuple(real, fc.constantFrom("x", "/..", "%00", "@", "%20", "/../kill", "%2F..")).map(([n, m]) => encodeURIComponent(n) + m) },
    { weight: 1, arbitrary: fc.integer({ min: 256, max: 12_000 }).map((n) => "n".repeat(n)) },
  );
}

const junkScalar = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 65, 2.5, 1e308, -0, "3", "", "local ", "SWARM", "one\u0000", "__proto__", "constructor"),
);
const junk = fc.oneof({ weight: 4, arbitrary: junkScalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
const bigString = fc.integer({ min: 60_000, max: 70_000 }).map((n) => "é".repeat(n / 2));
const pattern = fc.constantFrom("one", "broadcast", "ring", "random", "storm");

/** A segment as the route would see it decoded (left as it is where it does not decode). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Bodies near each route's schema but never one it would accept: a valid body would change the
 * cluster (deploy, send, start traffic), and the test asserts rejected calls change nothing.
 */
function nearBody(t: Tokens): fc.Arbitrary<unknown> {
  const name = fc.oneof(segment(t).map(decoded), junkScalar);
  return fc.oneof(
    fc.record({ replicas: junk.filter((v) => !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 64)), runtime: fc.option(junk) }, { requiredKeys: ["replicas"] }),
    fc.record({ runtime: junk, init: fc.option(junk) }),
    fc.record({ from: name, to: fc.oneof(name, fc.constant("*")), content: fc.oneof({ weight: 9, arbitrary: junk }, { weight: 1, arbitrary: bigString }) }),
    fc.record({ pattern: fc.oneof(pattern, junk), rate: junk, durationS: junk, rounds: junk, from: name, bogus: junk }, { requiredKeys: ["pattern", "bogus"] }),
    fc.dictionary(fc.string({ maxLength: 12 }), junk, { maxKeys: 6 }),
  );
}

/** The body as sent: JSON of a near miss, arbitrary JSON, not JSON at all, too big, or nothing. */
function bodyText(t: Tokens): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 40, arbitrary: nearBody(t).map((b) => JSON.stringify(b)) },
    { weight: 12, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((b) => JSON.stringify(b)) },
    { weight: 12, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
    { weight: 6, arbitrary: fc.constantFrom("", "{", "[]", "null", '{"replicas":', '{"__proto__":{"polluted":1}}', "\u0000", "{}".repeat(1000)) },
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 400 }).map((k) => `{"content":"${"x".repeat(k * 1024)}"}`) }, // over the 256 KiB cap
  );
}

function query(): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom("limit", "after", "since", "until", "points", "format", "token", "view", "__proto__"), fc.string({ maxLength: 8 }));
  const value = fc.oneof(fc.constantFrom("-1", "0", "1e309", "NaN", "json", "csv", "report", "xml", "10001", "%00", "..", ""), fc.string({ unit: "binary", maxLength: 20 }));
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map((kv) => (kv.length ? `?${kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}` : ""));
}

function authHeader(t: Tokens): fc.Arbitrary<[FuzzCase["auth"], string | undefined]> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<[FuzzCase["auth"], string]>(["control", `Bearer ${t.control}`]) },
    { weight: 2, arbitrary: fc.constant<[FuzzCase["auth"], string]>(["view", `Bearer ${t.view}`]) },
    { weight: 1, arbitrary: fc.constant<[FuzzCase["auth"], undefined]>(["none", undefined]) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((x): [FuzzCase["auth"], string] => ["wrong", `Bearer ${x.replace(/\s/g, "") || "x"}`]) },
    { weight: 1, arbitrary: fc.constantFrom<[FuzzCase["auth"], string]>(["junk", "Bearer"], ["junk", `Basic ${t.control}`], ["junk", `bearer  ${t.control}x`], ["junk", "B".repeat(9000)]) },
  );
}

/** One hostile call, made from a route of the contract's table. */
export function fuzzCase(t: Tokens): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      route: fc.constantFrom(...routeList),
      otherMethod: fc.option(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), { freq: 5 }),
      seg: segment(t),
      q: query(),
      body: bodyText(t),
      auth: authHeader(t),
      type: fc.constantFrom("application/json", "application/json", "text/plain", "multipart/form-data; boundary=x", undefined),
    })
    .map(({ route, otherMethod, seg, q, body, auth, type }) => {
      const method = otherMethod ?? route.method;
      const headers: Record<string, string> = {};
      if (auth[1] !== undefined) headers.authorization = auth[1];
      if (type && body !== undefined) headers["content-type"] = type;
      return { method, path: route.path.replace(/:\w+/g, seg) + q, headers, body: method === "GET" ? undefined : body, route: `${route.method} ${route.path}`, auth: auth[0] };
    });
}

export interface RawReply {
  status: number;
  contentType: string | null;
  location: string | null;
  text: string;
}

/** A keep-alive client: up to `sockets` connections (`fresh`: a new one), the request target sent byte for byte. */
export function rawClient(base: string, sockets = 8) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(base);
  const send = (c: Pick<FuzzCase, "method" | "path" | "headers" | "body">, fresh = false) =>
    new Promise<RawReply>((resolve, reject) => {
      const req = http.request({ agent: fresh ? false : agent, hostname, port, method: c.method, path: c.path, headers: c.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"] ?? null,
            location: res.headers.location ?? null,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer in 30 s: ${c.method} ${c.path.slice(0, 200)}`)));
      req.end(c.body);
    });
  return { send, close: () => agent.destroy() };
}
