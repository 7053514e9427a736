import { LiveDashboard } from "@/components/dashboard/live-dashboard";

export default function Page() {
  return <LiveDashboard />;
}
