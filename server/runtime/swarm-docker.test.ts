import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, ConflictError, NotFoundError, UnavailableError } from "../errors";
import { dockerClients, dockerStatus, userFacingDockerError } from "./swarm-docker";

// A stand-in for a hung dockerd on a unix socket: it takes every request and answers none, except
// GET /events, whose headers it sends at once (a stream that then stays quiet).
describe("dockerClients: a deadline on API calls, none on streams", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-docker-"));
  const socketPath = path.join(dir, "hung.sock");
  const server = http.createServer((req, res) => {
    if (req.url?.includes("/events")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("\n");
    }
  });
  const base = () => new Dockerode({ socketPath });

  beforeAll(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
  afterAll(() => {
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails an API call the engine does not answer, after the deadline, with an error that says so", async () => {
    const { api } = dockerClients(base(), 200);
    const t0 = Date.now();
    const err = await api.listTasks().catch((e: unknown) => e);
    const ms = Date.now() - t0;
    console.log(`[measure] hung engine: listTasks failed after ${ms} ms (deadline 200 ms)`);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as ApiError).status).toBe(503);
    expect((err as Error).message).toBe("the Docker engine did not answer GET /tasks within 0.2 s");
  });

  it("leaves a stream open past the deadline, even through the API client", async () => {
    const { api, streams } = dockerClients(base(), 100);
    for (const client of [api, streams]) {
      const events = (await client.getEvents()) as NodeJS.ReadableStream & { destroy(): void };
      let closed = false;
      events.on("close", () => (closed = true));
      events.on("error", () => (closed = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(closed).toBe(false);
      events.destroy();
    }
  });

  it("puts no deadline on the streams client (wait, attach, build)", async () => {
    const { streams } = dockerClients(base(), 100);
    const settled = await Promise.race([
      streams.ping().then(
        () => "answered",
        () => "failed",
      ),
      new Promise((r) => setTimeout(() => r("still waiting"), 300)),
    ]);
    expect(settled).toBe("still waiting");
  });
});

describe("userFacingDockerError", () => {
  const words = { notFound: "no such task t1", conflict: "task t1 is not running" };
  const dockerErr = (statusCode: number) => Object.assign(new Error(`(HTTP code ${statusCode})`), { statusCode });

  it("turns Docker's 404 into a NotFoundError (404) with the caller's words", () => {
    const e = userFacingDockerError(dockerErr(404), words);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toMatchObject({ status: 404, message: "no such task t1" });
  });

  it("turns Docker's 409 into a ConflictError (409)", () => {
    const e = userFacingDockerError(dockerErr(409), words);
    expect(e).toBeInstanceOf(ConflictError);
    expect(e).toMatchObject({ status: 409, message: "task t1 is not running" });
  });

  it("returns any other failure unchanged", () => {
    const e500 = dockerErr(500);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(userFacingDockerError(e500, words)).toBe(e500);
    expect(userFacingDockerError(reset, words)).toBe(reset);
    expect(dockerStatus(reset)).toBeUndefined();
    expect(dockerStatus(null)).toBeUndefined();
  });
});
