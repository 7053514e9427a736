import { BlockList, isIP } from "node:net";

// What a child process may inherit from the dashboard's environment: an allowlist, so that no
// secret (SWARMSCOPE_TOKEN, SWARMSCOPE_VIEW_TOKEN, a cloud key in the user's shell) ever reaches
// an Erlang node, where anyone with the cookie could read it with os:getenv/1.

const CHILD_KEYS = ["PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "TMPDIR"];
/** The base image build (stack/base-image.sh: docker, debootstrap) also needs these. */
const TOOL_KEYS = [
  "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "DOCKER_CONFIG", "DEBIAN_MIRROR", "DEBIAN_SUITE",
  "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
];

type Env = Readonly<Record<string, string | undefined>>;

function pick(env: Env, allowed: (key: string) => boolean): NodeJS.ProcessEnv {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && allowed(k)) out[k] = v;
  return out as NodeJS.ProcessEnv; // Next's typing insists on NODE_ENV; a child needs none

}

/** PATH, HOME, LANG, LC_*, TERM, TZ, TMPDIR: what `erl` needs, nothing else. */
export function childEnvironment(env: Env): NodeJS.ProcessEnv {
  return pick(env, (k) => CHILD_KEYS.includes(k) || k.startsWith("LC_"));
}

export function toolEnvironment(env: Env): NodeJS.ProcessEnv {
  return { ...childEnvironment(env), ...pick(env, (k) => TOOL_KEYS.includes(k)) };
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** Whether binding this address keeps the server on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").replace(/^::ffff:(?=\d+\.)/i, "");
  if (h.toLowerCase() === "localhost") return true;
  const family = isIP(h);
  return family !== 0 && loopback.check(h, family === 4 ? "ipv4" : "ipv6");
}
