import { createSchema } from "zod-openapi";
import { replyComponents } from "./schema-names";
import { type ServerEventName, serverEventDocs, serverToClient } from "./socket";

// The socket.io events as an AsyncAPI 3.0 document, generated from lib/contracts/socket.ts: one
// message per event, its payload rendered from the zod schema the contract tests validate with
// (the same components as the OpenAPI document). Served at GET /api/asyncapi.json.

const SERVER_DESCRIPTION = [
  "socket.io (engine.io over WebSocket or long polling) on the dashboard's own origin and path `/socket.io/`.",
  "Connect with `io(origin, {auth: {token}})`: a wrong or missing token is refused with an `unauthorized` connect error.",
  "The server only sends; control goes through the HTTP API (`/api/openapi.json`).",
].join(" ");

type Json = Record<string, unknown>;

const cache = new Map<string, Json>();

/** The AsyncAPI 3.0 document; `host` is where clients connect (e.g. "127.0.0.1:3000"). */
export function asyncApiDocument(opts: { version: string; host?: string }): Json {
  const key = `${opts.version} ${opts.host ?? ""}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const schemas: Json = {};
  const messages: Json = {};
  const channelMessages: Json = {};
  const operations: Json = {};
  for (const name of Object.keys(serverToClient) as ServerEventName[]) {
    const { schema, components } = createSchema(serverToClient[name], { io: "output", schemaComponents: replyComponents, openapiVersion: "3.1.0" });
    Object.assign(schemas, components);
    messages[name] = { name, title: name, summary: serverEventDocs[name], contentType: "application/json", payload: schema };
    channelMessages[name] = { $ref: `#/components/messages/${name}` };
    operations[`receive-${name}`] = {
      action: "receive",
      channel: { $ref: "#/channels/live" },
      summary: serverEventDocs[name],
      messages: [{ $ref: `#/channels/live/messages/${name}` }],
    };
  }
  const doc: Json = {
    asyncapi: "3.0.0",
    info: { title: "Swarmscope live events (socket.io)", version: opts.version, description: SERVER_DESCRIPTION },
    defaultContentType: "application/json",
    servers: { dashboard: { host: opts.host ?? "127.0.0.1:3000", protocol: "ws", pathname: "/socket.io/", description: SERVER_DESCRIPTION } },
    channels: {
      live: { address: "/", title: "the default namespace", description: "Every event goes to every connected client.", messages: channelMessages },
    },
    operations,
    components: { schemas, messages },
  };
  cache.set(key, doc);
  return doc;
}
