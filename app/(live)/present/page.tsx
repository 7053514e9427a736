import type { Metadata } from "next";
import { PresenterView } from "@/components/presenter/presenter-view";
import { ReplayBar } from "@/components/replay/replay-bar";

export const metadata: Metadata = { title: "Swarmscope · presenter" };

export default function PresentPage() {
  return <PresenterView replayBar={<ReplayBar />} />;
}
