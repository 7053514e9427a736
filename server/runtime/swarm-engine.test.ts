import { describe, expect, it } from "vitest";
import { swarmInitAddresses } from "./swarm-engine";

describe("docker swarm init addresses", () => {
  it("listen and advertise on loopback unless an address is given", () => {
    expect(swarmInitAddresses(undefined)).toEqual({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" });
    expect(swarmInitAddresses("10.1.2.3")).toEqual({ ListenAddr: "10.1.2.3:2377", AdvertiseAddr: "10.1.2.3" });
    expect(swarmInitAddresses("eth1")).toEqual({ ListenAddr: "eth1:2377", AdvertiseAddr: "eth1" });
    expect(swarmInitAddresses("fd00::2")).toEqual({ ListenAddr: "[fd00::2]:2377", AdvertiseAddr: "fd00::2" });
  });
});
