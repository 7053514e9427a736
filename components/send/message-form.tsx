"use client";

import { nodeLabel } from "@/lib/client/format";
import { useSendMessage } from "@/lib/client/queries";
import { setUi, useUi } from "@/lib/client/ui-state";
import { MAX_CONTENT_BYTES } from "@/lib/contracts/common";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { Button } from "../ui/button";
import { Field, Input, Select } from "../ui/field";

interface MessageFormProps {
  nodes: NodeDTO[];
  from: string;
  onFromChange: (name: string) => void;
  to: string;
  onToChange: (name: string) => void;
}

const label = (n: NodeDTO) => nodeLabel(n);

/** Send one message (or a broadcast to "*") from one up node. */
export function MessageForm({ nodes, from, onFromChange, to, onToChange }: MessageFormProps) {
  const send = useSendMessage();
  const { content } = useUi();
  const setContent = (v: string) => setUi({ content: v });
  const upNodes = nodes.filter((n) => n.status === "up");
  const toValid = to === "*" || nodes.some((n) => n.name === to);
  const tooLong = new TextEncoder().encode(content).length > MAX_CONTENT_BYTES;
  const ready = !!from && toValid && !tooLong && upNodes.some((n) => n.name === from);

  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) send.mutate({ from, to, content });
      }}
    >
      <div className="grid grid-cols-2 gap-2">
        <Field label="From">
          <Select data-testid="send-from" value={from} onChange={(e) => onFromChange(e.target.value)} disabled={upNodes.length === 0}>
            {upNodes.length === 0 && <option value="">no node up</option>}
            {upNodes.map((n) => (
              <option key={n.name} value={n.name} title={n.name}>
                {label(n)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="To">
          <Select data-testid="send-to" value={toValid ? to : "*"} onChange={(e) => onToChange(e.target.value)}>
            <option value="*">all (*)</option>
            {nodes.map((n) => (
              <option key={n.name} value={n.name} title={n.name}>
                {label(n)}
                {n.status !== "up" ? ` (${n.status})` : ""}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="flex items-end gap-2">
        <Field label="Content" className="flex-1">
          <Input
            data-testid="send-content"
            value={content}
            onChange={(e) => setContent(e.target.value)}
            placeholder="hello"
            aria-invalid={tooLong}
          />
        </Field>
        <Button type="submit" variant="primary" data-testid="send-button" disabled={!ready} busy={send.isPending} className="min-w-24">
          Send
        </Button>
      </div>
      {tooLong && <p className="text-sm text-rose-400">Content is over {MAX_CONTENT_BYTES / 1024} KiB.</p>}
    </form>
  );
}
