"use client";

import type { ExportFormat } from "../contracts/common";
import { ApiError, errorMessage } from "./api";
import { currentToken } from "./token";

/** The file name of a `Content-Disposition: attachment; filename=...` header, or the fallback. */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return safeName(decodeURIComponent(star[1]!.trim()), fallback);
    } catch {
      /* badly encoded: try the plain form */
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  const name = plain ? (plain[1]?.replace(/\\(.)/g, "$1") ?? plain[2]) : undefined;
  return name ? safeName(name, fallback) : fallback;
}

function safeName(name: string, fallback: string): string {
  const base = name.split(/[/\\]/).pop()?.trim() ?? "";
  return base && base !== "." && base !== ".." ? base : fallback;
}

/**
 * Downloads an export. A plain link cannot carry the Authorization header, so: fetch with the
 * token, take the body as a blob, and click a temporary link to an object URL.
 */
export async function downloadExport(format: ExportFormat): Promise<string> {
  const headers: Record<string, string> = {};
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`/api/export?format=${format}`, { headers, cache: "no-store" });
  } catch (err) {
    throw new ApiError(`Server unreachable (${(err as Error).message})`, 0);
  }
  if (!res.ok) throw new ApiError(await errorMessage(res), res.status);
  const blob = await res.blob();
  const ext = format === "report" ? "md" : format;
  const name = filenameFromDisposition(res.headers.get("content-disposition"), `swarmscope-export.${ext}`);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.rel = "noopener";
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Let the browser start reading the blob before it is released.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return name;
}
