import { describe, expect, it } from "vitest";
import { isLoopback } from "./child-env";
import { parseConfig } from "./config";

describe("parseConfig: secrets and binding", () => {
  const env = { PATH: "/usr/bin:/bin", HOME: "/home/u", LANG: "C.UTF-8", LC_ALL: "C", TERM: "xterm", SWARMSCOPE_TOKEN: "secret-token-123", SWARMSCOPE_VIEW_TOKEN: "view-token-456", AWS_SECRET_ACCESS_KEY: "aws", ERL_FLAGS: "-setcookie x" };

  it("hands children an allowlist of variables: no SWARMSCOPE_* secret, nothing else of the user's", () => {
    const c = parseConfig(env);
    expect(c.childEnv).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/u", LANG: "C.UTF-8", LC_ALL: "C", TERM: "xterm" });
    expect(c.toolEnv).toEqual(c.childEnv);
    expect(parseConfig({ ...env, DOCKER_HOST: "unix:///x.sock", https_proxy: "http://p" }).toolEnv).toMatchObject({ DOCKER_HOST: "unix:///x.sock", https_proxy: "http://p" });
    expect(JSON.stringify(c.childEnv)).not.toMatch(/secret-token|view-token|aws|setcookie/);
  });

  it("knows when npm start or npm run dev runs it (then it stops with npm), not npm test nor a plain node", () => {
    expect([undefined, "start", "dev", "test", "bench"].map((ev) => parseConfig(ev ? { npm_lifecycle_event: ev } : {}).underNpm)).toEqual([false, true, true, false, false]);
  });

  it("generates a view token when unset, distinct from the control token; refuses the same one for both", () => {
    const c = parseConfig({ PATH: "/bin" });
    expect(c.tokenGenerated).toBe(true);
    expect(c.viewToken).toMatch(/^[\w-]{32}$/);
    expect(c.viewToken).not.toBe(c.token);
    expect(parseConfig(env).viewToken).toBe("view-token-456");
    expect(() => parseConfig({ SWARMSCOPE_TOKEN: "same-token-1", SWARMSCOPE_VIEW_TOKEN: "same-token-1" })).toThrow(/must differ/);
  });

  it("refuses a non-loopback HOST without an explicit SWARMSCOPE_TOKEN, and says why and what to do", () => {
    for (const HOST of ["0.0.0.0", "::", "192.168.1.5", "example.org"]) {
      expect(() => parseConfig({ HOST }), HOST).toThrow(/Refusing to listen on HOST=.* without SWARMSCOPE_TOKEN.*HOST=127\.0\.0\.1.*TLS proxy/);
      expect(parseConfig({ HOST, SWARMSCOPE_TOKEN: "a-long-token-of-mine" }).host).toBe(HOST);
    }
    for (const HOST of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(parseConfig({ HOST }).host).toBe(HOST);
  });

  it("reads the Swarm and rate settings", () => {
    expect(parseConfig({}).overlayEncrypted).toBe(false);
    expect(parseConfig({ SWARMSCOPE_OVERLAY_ENCRYPTED: "1" }).overlayEncrypted).toBe(true);
    expect(() => parseConfig({ SWARMSCOPE_OVERLAY_ENCRYPTED: "yes" })).toThrow(/SWARMSCOPE_OVERLAY_ENCRYPTED: must be 1 or 0/);
    expect(parseConfig({}).swarmAdvertise).toBeUndefined();
    expect(parseConfig({ SWARMSCOPE_SWARM_ADVERTISE: "10.0.0.2" }).swarmAdvertise).toBe("10.0.0.2");
    expect(parseConfig({}).controlRate).toBe(50);
  });
});

describe("isLoopback", () => {
  it("knows loopback addresses from the rest", () => {
    expect(["127.0.0.1", "127.255.0.9", "::1", "localhost", "LOCALHOST", "[::1]"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.evil.com", "", "::2"].some(isLoopback)).toBe(false);
  });
});
