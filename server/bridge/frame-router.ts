import type { ClusterModel } from "../cluster/model";
import type { Logger } from "../log";
import type { MessageTracker } from "../messages/tracker";
import type { TrafficRuns } from "../traffic/runs";
import { type BridgeFrame, nodeEvent } from "./protocol";

export interface FrameTargets {
  model: Pick<ClusterModel, "nodeUp" | "nodeDown" | "setLinks">;
  tracker: Pick<MessageTracker, "onNodeUp" | "onNodeDown" | "onEvent" | "fail">;
  traffic: Pick<TrafficRuns, "onGeneratorDone" | "onNodeDown">;
  log: Logger;
}

/**
 * Where each frame from the bridge goes: node membership and links to the cluster model, message
 * events to the tracker, generator ends to the traffic runs. Events of one node are handled in
 * the order it sent them, so a generator's `sent` events are counted before its `traffic_done`.
 */
export function createFrameRouter(to: FrameTargets): (f: BridgeFrame) => void {
  return (f) => {
    switch (f.t) {
      case "nodeup":
        to.model.nodeUp(f.node);
        to.tracker.onNodeUp(f.node);
        return;
      case "nodedown":
        to.model.nodeDown(f.node, f.reason ?? "unknown");
        to.tracker.onNodeDown(f.node, f.reason ?? "unknown");
        to.traffic.onNodeDown(f.node);
        return;
      case "links":
        to.model.setLinks(f.node, f.links);
        return;
      case "events":
        return routeEvents(to, f.node, f.events);
      case "send_failed":
        to.tracker.fail(f.id, f.reason === "unknown_node" ? "the bridge does not know that node" : f.reason);
        return;
      default:
        return; // hello, reply and log are the bridge client's; stats are not used yet
    }
  };
}

function routeEvents(to: FrameTargets, node: string, events: unknown[]): void {
  for (const raw of events) {
    const ev = nodeEvent.safeParse(raw);
    if (!ev.success) {
      to.log.warn(`unexpected event from ${node}: ${JSON.stringify(raw).slice(0, 200)}`);
      continue;
    }
    if (ev.data.e === "traffic_done") to.traffic.onGeneratorDone(ev.data.run, node, ev.data.sent);
    else to.tracker.onEvent(node, ev.data);
  }
}
