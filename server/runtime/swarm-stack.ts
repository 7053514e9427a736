import { createHash } from "node:crypto";
import type Dockerode from "dockerode";
import type { Logger } from "../log";

// The Swarm objects of one stack, named as `docker stack deploy -c stack/docker-stack.yml <stack>`
// names them, so that the dashboard and the CLI find each other's: service `<stack>_node`,
// overlay network `<stack>_net`, cookie secret `<stack>_cookie`.

export const NS_LABEL = "com.docker.stack.namespace";
const COOKIE_LABEL = "swarmscope.cookie-sha256";
/** The file name the entrypoint reads: /run/secrets/swarmscope_cookie (docker-stack.yml agrees). */
const COOKIE_TARGET = "swarmscope_cookie";

export interface ServiceInfo {
  ID: string;
  Version?: { Index?: number };
  Spec?: Dockerode.ServiceSpec & {
    TaskTemplate?: { ContainerSpec?: Dockerode.ContainerSpec; Networks?: Dockerode.NetworkAttachmentConfig[] };
  };
}

export interface SecretInfo {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

export interface Net {
  id: string;
  subnet: string | null;
}

export interface StackOptions {
  docker: Dockerode;
  stack: string;
  deploymentId: string;
  cookie: string;
  /** The nodes' net tick (SWARMSCOPE_TICK_MS in the service's environment). */
  tickMs: number;
  log: Logger;
  progress: (phase: string) => void;
  /** Create the overlay with `--opt encrypted` (IPsec between hosts; SWARMSCOPE_OVERLAY_ENCRYPTED=1). */
  encrypted?: boolean;
}

export class SwarmStack {
  readonly serviceName: string;
  readonly networkName: string;
  readonly secretName: string;
  private readonly warned = new Set<string>();

  constructor(private readonly o: StackOptions) {
    this.serviceName = `${o.stack}_node`;
    this.networkName = `${o.stack}_net`;
    this.secretName = `${o.stack}_cookie`;
  }

  async findService(): Promise<ServiceInfo | undefined> {
    const list = (await this.o.docker.listServices({ filters: { name: [this.serviceName] } })) as unknown as ServiceInfo[];
    return list.find((s) => s.Spec?.Name === this.serviceName);
  }

  async removeService(svc: ServiceInfo): Promise<void> {
    this.o.progress(`removing service ${this.serviceName}`);
    await this.o.docker.getService(svc.ID).remove();
    this.o.log.info(`removed service ${this.serviceName}`);
  }

  /**
   * The overlay network (created when missing) and its subnet. Not attachable: only services join
   * it (the bridge and the relay are one-replica services), so no container started by hand on a
   * Swarm host reaches the replicas. Encrypted when asked (IPsec). An attachable one, made by an
   * older dashboard or stack file, still works, with a warning.
   */
  async ensureNetwork(): Promise<Net> {
    const name = this.networkName;
    const find = async () => (await this.o.docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
    const inspect = (id: string) => this.o.docker.getNetwork(id).inspect() as Promise<Dockerode.NetworkInspectInfo>;
    // A network Docker is still removing (a stack removed just before), or one just created (CI,
    // a second Swarm host joined: "driver " 0.1 s after the create), inspects with no driver for
    // a while: look again until it has one or is gone (up to 10 s), rather than refuse it as
    // "not an overlay network".
    const lookUp = async () => {
      let found = await find();
      let info = found ? await inspect(found.Id).catch(() => null) : null;
      for (let i = 0; found && !info?.Driver && i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        found = await find();
        info = found ? await inspect(found.Id).catch(() => null) : null;
      }
      return { found, info };
    };
    let { found, info } = await lookUp();
    if (!found) {
      this.o.progress(`creating network ${name}`);
      await this.o.docker.createNetwork({
        Name: name,
        Driver: "overlay",
        Attachable: false,
        CheckDuplicate: true,
        Labels: { [NS_LABEL]: this.o.stack },
        ...(this.o.encrypted ? { Options: { encrypted: "" } } : {}),
      });
      this.o.log.info(`created overlay network ${name}${this.o.encrypted ? " (encrypted)" : ""}`);
      ({ found, info } = await lookUp());
      if (!found) throw new Error(`network ${name} vanished right after it was created`);
    }
    info ??= await inspect(found.Id);
    if (info.Driver !== "overlay") {
      throw new Error(`network ${name} exists but is not an overlay network (driver ${info.Driver}); remove it (docker stack rm ${this.o.stack}) and deploy again`);
    }
    const recreate = `remove the stack (docker stack rm ${this.o.stack}) to recreate it`;
    if ((info as { Attachable?: boolean }).Attachable) {
      this.warnOnce(`network ${name} is attachable (made by an older Swarmscope or stack file): any container on a Swarm host can join it; ${recreate}`);
    }
    const encrypted = info.Options?.encrypted !== undefined;
    if (encrypted !== !!this.o.encrypted) {
      this.warnOnce(`network ${name} is ${encrypted ? "" : "not "}encrypted, SWARMSCOPE_OVERLAY_ENCRYPTED says otherwise: ${recreate}`);
    }
    return { id: info.Id, subnet: info.IPAM?.Config?.[0]?.Subnet ?? null };
  }

  /**
   * The cookie secret: `<stack>_cookie`, labelled with the cookie's hash. A secret of that name
   * made by `docker secret create` has no label and is used as is; one made by a dashboard with
   * another cookie is left alone and `<stack>_cookie_<hash>` is used instead (secrets are
   * immutable). Not labelled with the stack namespace: `docker stack rm` leaves it, as it leaves
   * the external secret of docker-stack.yml.
   */
  async ensureSecret(): Promise<SecretInfo> {
    const hash = createHash("sha256").update(this.o.cookie).digest("hex");
    const secrets = (await this.o.docker.listSecrets()) as unknown as SecretInfo[];
    const byName = (n: string) => secrets.find((s) => s.Spec?.Name === n);
    const base = byName(this.secretName);
    if (!base) return this.createSecret(this.secretName, hash);
    const label = base.Spec?.Labels?.[COOKIE_LABEL];
    if (label === hash) return base;
    if (label === undefined) {
      this.o.log.warn(
        `secret ${this.secretName} was not created by this dashboard; using it (it must hold the cookie in the data folder, or no node will accept the bridge)`,
      );
      return base;
    }
    const alt = `${this.secretName}_${hash.slice(0, 8)}`;
    return byName(alt) ?? this.createSecret(alt, hash);
  }

  async createService(n: number, image: string, net: Net, secret: SecretInfo): Promise<void> {
    this.o.progress(`creating service ${this.serviceName}`);
    const env = [
      `SWARMSCOPE_NAME=n-${this.o.deploymentId}`,
      `SWARMSCOPE_DEPLOYMENT=${this.o.deploymentId}`,
      "SWARMSCOPE_SERVICE={{.Service.Name}}",
      `SWARMSCOPE_TICK_MS=${this.o.tickMs}`,
      ...(net.subnet ? [`SWARMSCOPE_SUBNET=${net.subnet}`] : []),
    ];
    await this.o.docker.createService({
      Name: this.serviceName,
      Labels: { [NS_LABEL]: this.o.stack, "com.docker.stack.image": image, "swarmscope.deployment": this.o.deploymentId },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Args: ["node"],
          Labels: { [NS_LABEL]: this.o.stack },
          Env: env,
          Secrets: [secretRef(secret, this.secretName)],
        },
        RestartPolicy: { Condition: "any", Delay: 1_000_000_000, MaxAttempts: 0 },
        Networks: [{ Target: net.id, Aliases: ["node"] }],
      },
      Mode: { Replicated: { Replicas: n } },
      // New code rolls out one task at a time, each replacement up before the old one stops.
      UpdateConfig: { Parallelism: 1, Delay: 0, Monitor: 1_000_000_000, Order: "start-first", FailureAction: "pause" },
      EndpointSpec: { Mode: "dnsrr" },
    });
    this.o.log.info(`created service ${this.serviceName} (${n} replicas, image ${image})`);
  }

  /**
   * Sets the replica count; also the image when it holds other code, and the cookie secret when
   * it changed. Anything else in the spec (a CLI-deployed stack's names, env) is kept.
   */
  async updateService(svc: ServiceInfo, n: number, image: string, secret: SecretInfo): Promise<void> {
    const spec = structuredClone(svc.Spec ?? {});
    if (spec.Mode?.Global) throw new Error(`service ${this.serviceName} is global, not replicated: remove it first`);
    const cs = spec.TaskTemplate?.ContainerSpec ?? {};
    const changes: string[] = [];
    if (spec.Mode?.Replicated?.Replicas !== n) changes.push(`replicas ${spec.Mode?.Replicated?.Replicas ?? 0} → ${n}`);
    spec.Mode = { Replicated: { Replicas: n } };
    const current = (cs.Image ?? "").split("@")[0] ?? "";
    if (!(await sameImage(this.o.docker, current, image))) {
      changes.push(`image ${current} → ${image}`);
      cs.Image = image;
      spec.Labels = { ...(spec.Labels ?? {}), "com.docker.stack.image": image };
    }
    const tick = `SWARMSCOPE_TICK_MS=${this.o.tickMs}`;
    if (!(cs.Env ?? []).includes(tick)) {
      changes.push(tick);
      cs.Env = [...(cs.Env ?? []).filter((e) => !e.startsWith("SWARMSCOPE_TICK_MS=")), tick];
    }
    const refs = cs.Secrets ?? [];
    const cookieRef = refs.find((r) => r.File?.Name === COOKIE_TARGET);
    if (cookieRef?.SecretID !== secret.ID) {
      changes.push(`cookie secret → ${secret.Spec?.Name}`);
      cs.Secrets = [...refs.filter((r) => r !== cookieRef), secretRef(secret, this.secretName)];
    }
    if (changes.length === 0) return;
    if (spec.TaskTemplate) spec.TaskTemplate.ContainerSpec = cs;
    this.o.progress(`updating service ${this.serviceName}: ${changes.join(", ")}`);
    await this.o.docker.getService(svc.ID).update({ _query: { version: svc.Version?.Index }, _body: spec });
    this.o.log.info(`updated service ${this.serviceName}: ${changes.join(", ")}`);
  }

  private warnOnce(msg: string): void {
    if (this.warned.has(msg)) return;
    this.warned.add(msg);
    this.o.log.warn(msg);
  }

  private async createSecret(name: string, hash: string): Promise<SecretInfo> {
    this.o.progress(`creating secret ${name}`);
    const s = (await this.o.docker.createSecret({
      Name: name,
      Labels: { [COOKIE_LABEL]: hash, "swarmscope.stack": this.o.stack },
      Data: Buffer.from(this.o.cookie).toString("base64"),
    })) as { id?: string; ID?: string };
    const id = s.id ?? s.ID;
    if (!id) throw new Error(`docker gave no id for the new secret ${name}`);
    this.o.log.info(`created secret ${name}`);
    return { ID: id, Spec: { Name: name, Labels: { [COOKIE_LABEL]: hash } } };
  }
}

/** Whether two image references name the same image on this engine. */
export async function sameImage(docker: Dockerode, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  try {
    const [ia, ib] = await Promise.all([docker.getImage(a).inspect(), docker.getImage(b).inspect()]);
    return ia.Id === ib.Id;
  } catch {
    return false;
  }
}

/** The cookie secret as a task sees it: /run/secrets/swarmscope_cookie, root-only. */
export function secretRef(secret: SecretInfo, fallbackName: string): Dockerode.SecretReference {
  return {
    SecretID: secret.ID,
    SecretName: secret.Spec?.Name ?? fallbackName,
    File: { Name: COOKIE_TARGET, UID: "0", GID: "0", Mode: 0o400 },
  };
}
