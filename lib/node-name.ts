// How a node is named on screen, shared by the browser and the server (event texts).

/**
 * The short, readable name of an Erlang node. Locally every replica has its own name
 * ("n3-ab12cd@127.0.0.1" → "n3"). On Swarm every replica of a service registers the same name
 * at its own overlay address ("n-ab12cd@10.0.1.7"), so the replica's slot tells them apart
 * ("n3"); without a slot, the address does ("n@10.0.1.7"). Names that are not ours stay as they
 * are ("node_4f2a@host" → "node_4f2a").
 */
export function shortNodeName(name: string, slot?: number | null): string {
  if (name === "*") return "all";
  const at = name.indexOf("@");
  const local = at < 0 ? name : name.slice(0, at);
  const host = at < 0 ? "" : name.slice(at + 1);
  if (!host && slot != null) return `n${slot}`; // a task with no address yet
  const seg = local.split("-")[0] || local;
  if (/\d/.test(seg) || !local.includes("-")) return seg;
  if (slot != null) return `${seg}${slot}`;
  return host ? `${seg}@${host}` : seg;
}
