import type { Metadata } from "next";
import { PresenterView } from "@/components/presenter/presenter-view";

export const metadata: Metadata = { title: "Swarmscope · presenter" };

export default function PresentPage() {
  return <PresenterView />;
}
