import type { z } from "zod";
import { ApiError } from "./errors";

const MAX_BODY_BYTES = 256 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The request's JSON body, validated. The size is checked while the body streams in: a larger
 * body is refused (413) before more than MAX_BODY_BYTES are read, chunked or not.
 */
export async function readBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const tooLarge = () => new ApiError(413, `request body too large: at most ${MAX_BODY_BYTES} bytes`);
  if (Number(req.headers.get("content-length") ?? "0") > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
    size += r.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      void reader!.cancel();
      throw tooLarge();
    }
    chunks.push(r.value);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ApiError(400, "request body must be JSON");
  }
  return parse(schema, raw);
}

export function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    const status = issue.code === "custom" && /at most .* bytes/.test(issue.message) ? 413 : 400;
    throw new ApiError(status, `${where}${issue.message}`);
  }
  return r.data;
}

