import { z } from "zod";

// Frames from the bridge (erlang/PROTOCOL.md). Validated: types do not check what arrives.
const name = z.string().min(1).max(300);
const content = z.string().max(1_000_000);

const sentEv = z.object({ e: z.literal("sent"), id: z.string(), to: name, t: z.number(), content });
const receivedEv = z.object({
  e: z.literal("received"),
  id: z.string(),
  from: z.string().max(1000),
  t0: z.number().nullable().optional(),
  t: z.number(),
  content,
  seed: z.boolean(),
});
const ackedEv = z.object({ e: z.literal("acked"), id: z.string(), to: name, t: z.number(), t1: z.number() });
const sendFailedEv = z.object({ e: z.literal("send_failed"), id: z.string(), to: name, reason: z.string() });
const trafficDoneEv = z.object({ e: z.literal("traffic_done"), run: z.string(), sent: z.number() });

export const nodeEvent = z.discriminatedUnion("e", [sentEv, receivedEv, ackedEv, sendFailedEv, trafficDoneEv]);
export type NodeEvent = z.infer<typeof nodeEvent>;

export const bridgeFrame = z.discriminatedUnion("t", [
  z.object({ t: z.literal("hello"), bridge: name, otp: z.string().optional() }),
  z.object({ t: z.literal("nodeup"), node: name, info: z.record(z.string(), z.unknown()).optional() }),
  z.object({ t: z.literal("nodedown"), node: name, reason: z.string().optional() }),
  z.object({ t: z.literal("links"), node: name, links: z.array(name) }),
  z.object({
    t: z.literal("stats"),
    node: name,
    sent: z.number(),
    received: z.number(),
    acked: z.number().optional(),
    inbox: z.number().optional(),
    queue: z.number().optional(),
    memory: z.number().optional(),
  }),
  z.object({ t: z.literal("events"), node: name, events: z.array(z.unknown()) }),
  z.object({ t: z.literal("send_failed"), id: z.string(), from: z.string(), to: z.string(), reason: z.string() }),
  z.object({ t: z.literal("reply"), ref: z.string(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() }),
  z.object({ t: z.literal("log"), level: z.string(), msg: z.string() }),
]);
export type BridgeFrame = z.infer<typeof bridgeFrame>;

// Commands to the bridge (erlang/PROTOCOL.md, "Server → bridge").
export const discoverCommand = z.discriminatedUnion("mode", [
  z.object({ t: z.literal("discover"), mode: z.literal("epmd"), host: z.string().min(1), deployment: z.string().min(1) }),
  z.object({ t: z.literal("discover"), mode: z.literal("dns"), query: z.string().min(1), name: z.string().min(1) }),
]);
/** How the bridge finds this runtime's replicas: epmd names on a host, or the overlay's DNS. */
export type DiscoverCommand = z.infer<typeof discoverCommand>;

export const trafficCommand = z.object({
  t: z.literal("traffic"),
  run: z.string(),
  tag: z.string(),
  node: name,
  targets: z.array(name),
  rate: z.number().min(0), // messages/s from this generator; 0: as fast as it goes
  count: z.number().int().min(0),
  order: z.enum(["cycle", "random"]),
  content: z.string(),
});
export type TrafficCommand = z.infer<typeof trafficCommand>;

export const bridgeCommand = z.discriminatedUnion("t", [
  z.object({ t: z.literal("send"), id: z.string(), from: name, to: name, content: z.string() }),
  z.object({ t: z.literal("get"), ref: z.string(), node: name }),
  z.object({ t: z.literal("ping"), ref: z.string() }),
  trafficCommand,
  z.object({ t: z.literal("traffic_stop"), run: z.string() }),
  discoverCommand,
]);
export type BridgeCommand = z.infer<typeof bridgeCommand>;
