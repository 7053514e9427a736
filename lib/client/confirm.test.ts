import { describe, expect, it } from "vitest";
import { confirmAction, currentConfirm, setSkipConfirm } from "./confirm";

describe("confirmAction", () => {
  it("waits for the dialog's answer; a newer question answers an older one with no", async () => {
    const first = confirmAction({ title: "Kill n3?", body: "", confirmLabel: "Kill" });
    expect(currentConfirm()?.title).toBe("Kill n3?");
    const second = confirmAction({ title: "Remove all?", body: "", confirmLabel: "Remove all" });
    await expect(first).resolves.toBe(false);
    expect(currentConfirm()?.title).toBe("Remove all?");
    currentConfirm()!.resolve(true);
    await expect(second).resolves.toBe(true);
    expect(currentConfirm()).toBeNull();
  });

  it("resolves true without asking while a scenario runs, or when the caller skips", async () => {
    await expect(confirmAction({ title: "t", body: "", confirmLabel: "ok", skip: true })).resolves.toBe(true);
    setSkipConfirm(true);
    await expect(confirmAction({ title: "t", body: "", confirmLabel: "ok" })).resolves.toBe(true);
    expect(currentConfirm()).toBeNull();
    setSkipConfirm(false);
    const asked = confirmAction({ title: "t", body: "", confirmLabel: "ok" });
    expect(currentConfirm()).not.toBeNull();
    currentConfirm()!.resolve(false);
    await expect(asked).resolves.toBe(false);
  });
});
