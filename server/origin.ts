/**
 * Whether a handshake's `Origin` header fits the server it reached: absent (not a browser: a
 * script, a test) or naming exactly the `Host` the request was sent to. A page of another site
 * (or another port of this host) gets no socket, whatever token it holds.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  try {
    const u = new URL(origin);
    if (u.protocol !== "http:" && u.protocol !== "https:") return false;
    return u.origin === origin.replace(/\/$/, "").toLowerCase() && u.host === new URL(`${u.protocol}//${host}`).host;
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) and anything unparsable
  }
}
