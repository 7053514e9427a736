import { z } from "zod";
import * as rq from "./http-requests";
import * as rp from "./http-replies";
import * as replay from "./replay";
import * as sk from "./socket";
import * as fq from "./fault-requests";
import * as fp from "./fault-replies";

// The component names of the API documents: every schema the contract modules export, named after
// its export (`clusterSchema` → `Cluster`, `sendBody` → `SendBody`). Query strings and path
// parameters are not components: they become parameters.

function componentName(exportName: string): string {
  const base = exportName.replace(/Schema$/, "");
  return base.charAt(0).toUpperCase() + base.slice(1);
}

function named(module: Record<string, unknown>): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(module)) {
    if (!(value instanceof z.ZodType) || /(Query|Params)$/.test(key)) continue;
    out[componentName(key)] = value;
  }
  return out;
}

/** Request bodies: rendered as input (defaults optional, before coercion). */
export const requestComponents = { ...named(rq), ...named(fq) };
/** Replies and socket payloads: rendered as output. */
export const replyComponents = { ...named(rp), ...named(fp), ...named(sk), ...named(replay) };
