import type { Books } from "../books/books";
import type { ClusterModel } from "../cluster/model";
import type { Logger } from "../log";
import type { TrafficRuns } from "../traffic/runs";
import type { BridgeFrame } from "./protocol";

export interface FrameTargets {
  model: Pick<ClusterModel, "nodeUp" | "nodeDown" | "setLinks">;
  books: Pick<Books, "onReport" | "onStats" | "onNodeUp" | "onNodeDown" | "onLinks" | "fail">;
  traffic: Pick<TrafficRuns, "onNodeDown">;
  log: Logger;
}

/**
 * Where each frame from the bridge goes: node membership and links to the cluster model and the
 * books (a link seen cut is what makes a gap a `partition`), reports and stats to the books
 * (which hand traffic progress to the runs). A node's frames come in the order it sent them, so
 * its stats follow the reports they count.
 */
export function createFrameRouter(to: FrameTargets): (f: BridgeFrame) => void {
  return (f) => {
    switch (f.t) {
      case "report":
        return to.books.onReport(f);
      case "stats":
        return to.books.onStats(f);
      case "nodeup":
        to.model.nodeUp(f.node);
        to.books.onNodeUp(f.node, f.inc ?? incOf(f.info));
        return;
      case "nodedown":
        to.model.nodeDown(f.node, f.reason ?? "unknown");
        to.books.onNodeDown(f.node, f.reason ?? "unknown");
        to.traffic.onNodeDown(f.node);
        return;
      case "links":
        to.model.setLinks(f.node, f.links);
        to.books.onLinks(f.node, f.links);
        return;
      case "send_failed":
        to.books.fail(f.id, f.reason === "unknown_node" ? "the bridge does not know that node" : f.reason);
        return;
      default:
        return; // hello, reply and log are the bridge client's
    }
  };
}

function incOf(info: Record<string, unknown> | undefined): number | null {
  const inc = info?.inc;
  return typeof inc === "number" && Number.isSafeInteger(inc) ? inc : null;
}
