import type { Actions } from "../shell/use-actions";

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it (lower case for letters). */
  keys: string[];
  /** What the overlay shows. */
  label: string;
  does: string;
  run: (a: Actions) => unknown;
  /** Acts on the cluster: only with the control token, never in a replay (useCanControl). */
  control?: true;
}

/** The main actions by key; listed in this order behind `?`. */
export const SHORTCUTS: Shortcut[] = [
  { keys: ["d"], label: "D", does: "Deploy / scale to the replica count", control: true, run: (a) => a.deployDraft() },
  { keys: ["s"], label: "S", does: "Send the message in the Send form", control: true, run: (a) => a.sendMessage() },
  { keys: ["t"], label: "T", does: "Storm: 10,000 messages/s for 10 s", control: true, run: (a) => a.storm() },
  { keys: ["k"], label: "K", does: "Kill the selected node (asks first)", control: true, run: (a) => a.killSelected() },
  { keys: ["p"], label: "P", does: "Pause / follow the message timeline", run: (a) => a.togglePause() },
  { keys: ["r"], label: "R", does: "Remove all replicas (asks first)", control: true, run: (a) => a.removeAll() },
  { keys: ["f"], label: "F", does: "Presenter view ⇄ dashboard", run: (a) => a.togglePresenter() },
];

/** The shortcuts this browser may use now. */
export function allowedShortcuts(canControl: boolean): Shortcut[] {
  return canControl ? SHORTCUTS : SHORTCUTS.filter((s) => !s.control);
}

/** Typing in a field, or a key with a modifier, is never a shortcut. */
export function isTyping(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName);
}
