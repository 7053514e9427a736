import { afterEach, describe, expect, it, vi } from "vitest";
import { messageSchema } from "../contracts/http-replies";
import { checked, checkedEvent, ContractError } from "./contract-check";
import { toastStore } from "./toasts";

const message = {
  id: "m1", from: "n1@h", to: "n2@h", content: "hi", status: "acked",
  sentAt: 1, receivedAt: 1.1, ackedAt: 1.2, latencyMs: 0.1, latencyKind: "one-way", reason: null, seed: false,
};

describe("contract checks in the browser", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    toastStore.set(() => []);
  });

  it("passes data that matches, latencyKind included", () => {
    expect(checked(messageSchema, message, "GET /api/messages/:id")).toEqual(message);
  });

  it("reports a mismatch with the field, and throws instead of patching it", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const run = () => checked(messageSchema, { ...message, status: "teleported", seed: undefined }, "GET /api/messages/:id");
    expect(run).toThrow(ContractError);
    expect(run).toThrow(/GET \/api\/messages\/:id: the server's data does not match the contract \(status: .*, and 1 more\)/);
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]![0])).toMatch(/seed/);
  });

  it("drops a socket event that does not match, with a warning and a toast", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(checkedEvent(messageSchema, { id: 1 }, "messages")).toBeUndefined();
    expect(toastStore.get()).toEqual([expect.objectContaining({ kind: "error", title: "Live update ignored" })]);
    expect(checkedEvent(messageSchema, message, "messages")).toEqual(message);
  });
});
