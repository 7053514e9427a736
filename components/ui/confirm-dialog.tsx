"use client";

import { useCallback } from "react";
import { useConfirmRequest } from "@/lib/client/confirm";
import { Button } from "./button";
import { Modal } from "./modal";

/** The question of confirmAction (Kill, Remove all): the action's button takes the focus, so Enter confirms. */
export function ConfirmDialog() {
  const req = useConfirmRequest();
  const cancel = useCallback(() => req?.resolve(false), [req]);
  if (!req) return null;
  return (
    <Modal onClose={cancel} labelledBy="confirm-title" role="alertdialog" testId="confirm-dialog" className="max-w-lg p-7">
      <div className="flex items-start gap-4">
        <span className="grid size-11 shrink-0 place-items-center rounded-full bg-rose-500/15 text-xl font-bold text-rose-300" aria-hidden>
          !
        </span>
        <div className="min-w-0">
          <h2 id="confirm-title" className="text-xl font-bold">
            {req.title}
          </h2>
          <p className="mt-2 text-dim">{req.body}</p>
        </div>
      </div>
      <div className="mt-7 flex justify-end gap-3">
        <Button onClick={cancel} data-testid="confirm-cancel">
          Cancel
        </Button>
        <Button variant="danger" onClick={() => req.resolve(true)} data-testid="confirm-ok" data-autofocus>
          {req.confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
