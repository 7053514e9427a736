import { afterEach, describe, expect, it, vi } from "vitest";
import { routes } from "../contracts/routes";
import { ApiError, call } from "./api";
import { ContractError } from "./contract-check";

function answer(status: number, body: string, type = "application/json") {
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response(body, { status, headers: { "content-type": type } }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("call(): the browser's fetcher over the route table", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("builds the request from the route and returns the checked reply", async () => {
    const fetch = answer(202, JSON.stringify({ killed: "n1@h" }));
    await expect(call(routes.killNode, { params: { name: "n1@h" } })).resolves.toEqual({ killed: "n1@h" });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("/api/nodes/n1%40h/kill");
    expect(init.method).toBe("POST");
  });

  it("sends the body as JSON", async () => {
    const fetch = answer(202, JSON.stringify({ ids: ["m1"] }));
    await call(routes.sendMessage, { body: { from: "a", to: "b", content: "hi" } });
    expect(fetch.mock.calls[0]![1].body).toBe('{"from":"a","to":"b","content":"hi"}');
  });

  it("turns an {error} answer into ApiError with its message and status", async () => {
    answer(409, JSON.stringify({ error: "sender n1 is not up" }));
    await expect(call(routes.sendMessage, { body: { from: "a", to: "b", content: "x" } })).rejects.toEqual(new ApiError("sender n1 is not up", 409));
  });

  it("still says what went wrong when an error answer is not {error}", async () => {
    answer(405, "", "text/plain");
    await expect(call(routes.stats)).rejects.toMatchObject({ status: 405, message: expect.stringMatching(/^405/) });
  });

  it("rejects a reply that breaks the contract instead of patching it", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    answer(200, JSON.stringify({ traffic: { run: "t1" } }));
    await expect(call(routes.getTraffic)).rejects.toBeInstanceOf(ContractError);
  });
});
