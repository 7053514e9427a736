import type { FaultBody, FaultKind } from "../../lib/contracts/fault-requests";

// What a scenario is: plain data. Each step does one thing and waits for what it expects (nodes
// up and meshed, a message received, the books balanced, a fault detected or healed); `caption`
// is the sentence the presenter view shows while it runs. Node names are replica ids ("n3").

type Base = { name: string; caption: string; timeoutMs?: number };

export type ScenarioStep = Base &
  (
    | { do: "deploy"; replicas: number } // waits: every node up and meshed
    | { do: "send"; from: string; to: string; content: string } // waits: received
    | { do: "broadcast"; from: string; content: string } // waits: every copy received
    | { do: "storm"; rate: number; durationS: number } // waits: the run ended, the books reconciled
    | { do: "fault"; fault: FaultBody } // waits: detected (delay, loss: in force)
    | { do: "heal"; kind: FaultKind } // the newest active fault of that kind; waits: links restored
    | { do: "seed"; from: string; to: string; content: string } // {msg, To} ! {send, From, Content} from `from`; waits: received
    | { do: "pause"; ms: number } // a beat for the audience
  );

export interface Scenario {
  name: string;
  title: string;
  description: string;
  steps: ScenarioStep[];
}
