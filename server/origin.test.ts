import { describe, expect, it } from "vitest";
import { roleOf } from "./auth";
import { sameOrigin } from "./origin";

describe("sameOrigin (socket.io handshake)", () => {
  it("lets a client without Origin and a page of this very host through", () => {
    expect(sameOrigin(undefined, "127.0.0.1:3000")).toBe(true);
    expect(sameOrigin("http://127.0.0.1:3000", "127.0.0.1:3000")).toBe(true);
    expect(sameOrigin("https://dash.example", "dash.example")).toBe(true);
    expect(sameOrigin("http://localhost", "localhost:80")).toBe(true);
  });

  it("refuses other sites, other ports, odd schemes, null and junk", () => {
    for (const o of ["http://evil.example", "http://127.0.0.1:3001", "http://127.0.0.1:3000.evil.example", "file://", "null", "", "chrome-extension://abc", "http://127.0.0.1:3000/path", "x"]) {
      expect(sameOrigin(o, "127.0.0.1:3000"), o).toBe(false);
    }
    expect(sameOrigin("http://127.0.0.1:3000", undefined)).toBe(false);
  });
});

describe("roleOf", () => {
  const creds = { control: "control-token", view: "view-token-x" };
  it("tells the control token from the view token, and refuses anything else", () => {
    expect(roleOf("control-token", creds)).toBe("control");
    expect(roleOf("view-token-x", creds)).toBe("view");
    for (const bad of ["", "control-token ", "view", 42, null, undefined, { token: "control-token" }, ["control-token"]]) expect(roleOf(bad, creds)).toBeNull();
  });
});
