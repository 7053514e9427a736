import type { Scenario } from "./steps";

// The scenarios the dashboard offers (GET /api/scenarios). Plain data: add one here.

const deploy5 = { name: "deploy 5", do: "deploy", replicas: 5, caption: "Five Erlang nodes start and connect to each other: every edge is a real distribution link." } as const;

const helloSwarm: Scenario = {
  name: "hello-swarm",
  title: "Hello, swarm",
  description: "Deploy five nodes, send one message, then a broadcast: each reception seen by its receiver.",
  steps: [
    deploy5,
    { name: "send n1 → n2", do: "send", from: "n1", to: "n2", content: "hello, swarm", caption: "n1 sends one message to n2: it counts as received only when n2 reports it." },
    { name: "broadcast from n1", do: "broadcast", from: "n1", content: "hello, everyone", caption: "n1 sends to every other node: four receptions, each with its latency." },
  ],
};

const storm: Scenario = {
  name: "storm",
  title: "Storm",
  description: "10,000 messages a second for 10 s across five nodes; the books stay balanced against the nodes' own counters.",
  steps: [
    deploy5,
    { name: "storm 10k msgs/s", do: "storm", rate: 10_000, durationS: 10, timeoutMs: 90_000, caption: "100,000 messages in 10 s: watch the counters. Every one is received, lost with a reason, or in flight." },
    { name: "books balanced", do: "pause", ms: 1500, caption: "The dashboard's books equal every node's own counters: nothing guessed." },
  ],
};

const chaosTour: Scenario = {
  name: "chaos-tour",
  title: "Chaos tour",
  description: "Kill, freeze, partition, heal, thaw, scale: each fault detected within the tick, each message's fate with its reason.",
  steps: [
    deploy5,
    { name: "send n1 → n2", do: "send", from: "n1", to: "n2", content: "before the chaos", caption: "One message, received and acknowledged: the calm before." },
    { name: "storm", do: "storm", rate: 2000, durationS: 4, timeoutMs: 60_000, caption: "A storm of 2,000 messages a second: the books stay balanced." },
    { name: "kill n5", do: "fault", fault: { kind: "kill", nodes: ["n5"] }, caption: "Killing n5: it turns red at once, and the runtime restarts it." },
    { name: "n5 back", do: "heal", kind: "kill", timeoutMs: 30_000, caption: "n5 is back, a new incarnation, linked to everyone again." },
    { name: "freeze n4", do: "fault", fault: { kind: "freeze", nodes: ["n4"] }, caption: "Freezing n4 (SIGSTOP): silent, not dead. It goes down after the net tick." },
    { name: "partition n1 n2 | rest", do: "fault", fault: { kind: "partition", nodes: ["n1", "n2"] }, caption: "Cutting n1 and n2 off from the rest: the links across the cut vanish." },
    { name: "send across the cut", do: "pause", ms: 1500, caption: "Messages across the cut cannot get there: refused at the sender, or lost with reason partition." },
    { name: "heal", do: "heal", kind: "partition", caption: "Healing the partition: the links come back, measured." },
    { name: "thaw n4", do: "heal", kind: "freeze", timeoutMs: 30_000, caption: "Thawing n4: it rejoins, and what it missed is accounted for." },
    { name: "scale to 7", do: "deploy", replicas: 7, caption: "Scaling to seven: two more nodes join the mesh." },
  ],
};

const seedReplay: Scenario = {
  name: "seed-replay",
  title: "Seed replay",
  description: "The seed experiment's four messages, sent the seed's way ({msg, To} ! {send, From, Content} from a node): this time received, and shown.",
  steps: [
    deploy5,
    ...[1, 2, 3, 4].map((k) => ({
      name: `seed message ${k}: n${k} → n${k + 1}`,
      do: "seed" as const,
      from: `n${k}`,
      to: `n${k + 1}`,
      content: `test_message_${k}_from_n${k}_to_n${k + 1}`,
      caption: `The seed's message ${k}, {msg, To} ! {send, From, Content} from n${k}: this time n${k + 1} receives it, and says so.`,
    })),
  ],
};

export const scenarios: readonly Scenario[] = [helloSwarm, storm, chaosTour, seedReplay];
