import type Dockerode from "dockerode";
import type { Logger } from "../log";
import { NS_LABEL, type Net, type SecretInfo, type ServiceInfo, sameImage, secretRef } from "./swarm-stack";

/** Where the agent finds its host's engine (the bind mount's target and source). */
export const DOCKER_SOCKET = "/var/run/docker.sock";

export interface AgentServiceOptions {
  docker: Dockerode;
  stack: string;
  deploymentId: string;
  tickMs: number;
  log: Logger;
  progress: (phase: string) => void;
}

/**
 * The stack's host agents: service `<stack>_agent` in mode global (one task on every Swarm node,
 * including nodes that join later), on the overlay network, with the node's Docker socket
 * mounted and the cookie secret. `docker stack deploy -c stack/docker-stack.yml` makes the same.
 */
export class AgentService {
  readonly name: string;

  constructor(private readonly o: AgentServiceOptions) {
    this.name = `${o.stack}_agent`;
  }

  async find(): Promise<ServiceInfo | undefined> {
    const list = (await this.o.docker.listServices({ filters: { name: [this.name] } })) as unknown as ServiceInfo[];
    return list.find((s) => s.Spec?.Name === this.name);
  }

  /** The agents' Erlang name (before `@`): the service's SWARMSCOPE_NAME (a CLI-deployed stack sets its own). */
  async erlangName(): Promise<string> {
    const env = (await this.find())?.Spec?.TaskTemplate?.ContainerSpec?.Env ?? [];
    return env.find((e) => e.startsWith("SWARMSCOPE_NAME="))?.slice("SWARMSCOPE_NAME=".length) || `agent-${this.o.deploymentId}`;
  }

  /** Creates the service, or rolls out `image` when it runs other code. */
  async ensure(image: string, net: Net, secret: SecretInfo, secretName: string): Promise<void> {
    const existing = await this.find();
    if (!existing) {
      this.o.progress(`creating service ${this.name}`);
      await this.o.docker.createService(this.spec(image, net, secret, secretName));
      this.o.log.info(`created service ${this.name} (global, image ${image})`);
      return;
    }
    const current = (existing.Spec?.TaskTemplate?.ContainerSpec?.Image ?? "").split("@")[0] ?? "";
    if (await sameImage(this.o.docker, current, image)) return;
    const spec = structuredClone(existing.Spec ?? {});
    if (spec.TaskTemplate?.ContainerSpec) spec.TaskTemplate.ContainerSpec.Image = image;
    await this.o.docker.getService(existing.ID).update({ _query: { version: existing.Version?.Index }, _body: spec });
    this.o.log.info(`updated service ${this.name}: image ${current} → ${image}`);
  }

  async remove(): Promise<void> {
    const existing = await this.find();
    if (!existing) return;
    await this.o.docker.getService(existing.ID).remove();
    this.o.log.info(`removed service ${this.name}`);
  }

  private spec(image: string, net: Net, secret: SecretInfo, secretName: string): Dockerode.CreateServiceOptions {
    const env = [
      `SWARMSCOPE_NAME=agent-${this.o.deploymentId}`,
      `SWARMSCOPE_DEPLOYMENT=${this.o.deploymentId}`,
      "SWARMSCOPE_SERVICE={{.Service.Name}}",
      `SWARMSCOPE_STACK=${this.o.stack}`,
      `SWARMSCOPE_TICK_MS=${this.o.tickMs}`,
      ...(net.subnet ? [`SWARMSCOPE_SUBNET=${net.subnet}`] : []),
    ];
    return {
      Name: this.name,
      Labels: { [NS_LABEL]: this.o.stack, "com.docker.stack.image": image, "swarmscope.deployment": this.o.deploymentId },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Args: ["agent"],
          Labels: { [NS_LABEL]: this.o.stack, "swarmscope.role": "agent" },
          Env: env,
          Secrets: [secretRef(secret, secretName)],
          Mounts: [{ Type: "bind", Source: DOCKER_SOCKET, Target: DOCKER_SOCKET }],
        },
        RestartPolicy: { Condition: "any", Delay: 1_000_000_000, MaxAttempts: 0 },
        Networks: [{ Target: net.id }],
      },
      Mode: { Global: {} },
      EndpointSpec: { Mode: "dnsrr" },
    };
  }
}
