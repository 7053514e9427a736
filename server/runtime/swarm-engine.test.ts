import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { type Reachability, engineStatus, swarmInitAddresses } from "./swarm-engine";

describe("engineStatus", () => {
  it("says since when the engine has been unreachable, and keeps that time over later checks", async () => {
    const docker = new Dockerode({ socketPath: "/nonexistent/docker.sock" });
    const reach: Reachability = { since: null };
    const first = await engineStatus(docker, reach, () => Date.UTC(2026, 0, 1, 10, 42, 3));
    expect(first).toEqual({
      ready: false,
      since: Date.UTC(2026, 0, 1, 10, 42, 3),
      problem:
        "Docker engine unreachable since 10:42:03 UTC: no Docker engine at /nonexistent/docker.sock: start dockerd (scripts/start-docker.sh does it) or set DOCKER_HOST",
    });
    const later = await engineStatus(docker, reach, () => Date.UTC(2026, 0, 1, 10, 43, 0));
    expect(later.since).toBe(first.since);
    expect(later.problem).toBe(first.problem);
  });
});

describe("docker swarm init addresses", () => {
  it("listen and advertise on loopback unless an address is given", () => {
    expect(swarmInitAddresses(undefined)).toEqual({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" });
    expect(swarmInitAddresses("10.1.2.3")).toEqual({ ListenAddr: "10.1.2.3:2377", AdvertiseAddr: "10.1.2.3" });
    expect(swarmInitAddresses("eth1")).toEqual({ ListenAddr: "eth1:2377", AdvertiseAddr: "eth1" });
    expect(swarmInitAddresses("fd00::2")).toEqual({ ListenAddr: "[fd00::2]:2377", AdvertiseAddr: "fd00::2" });
  });
});
