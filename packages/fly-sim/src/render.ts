import type { SimApp, SimMachine, SimRelease, SimState } from './state';

/**
 * flyctl's JSON (superfly/flyctl@v0.4.87 internal/render/render.go:16-21): Go's encoder with 4-space indent, a trailing newline, and HTML
 * characters escaped (`<` -> \u003c) as encoding/json does by default.
 */
export function goJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}\n`;
}

/** Splits `registry/repository:tag@digest` the way the Machines API reports image_ref. */
export function splitImageRef(ref: string): { registry: string; repository: string; tag: string; digest: string } {
  const [nameTag, digest = ''] = ref.split('@');
  const firstSlash = nameTag.indexOf('/');
  const hasRegistry = firstSlash !== -1 && /[.:]/.test(nameTag.slice(0, firstSlash));
  const registry = hasRegistry ? nameTag.slice(0, firstSlash) : 'docker.io';
  const rest = hasRegistry ? nameTag.slice(firstSlash + 1) : nameTag;
  const colon = rest.lastIndexOf(':');
  return {
    registry,
    repository: colon === -1 ? rest : rest.slice(0, colon),
    tag: colon === -1 ? 'latest' : rest.slice(colon + 1),
    digest,
  };
}

/** A stable fake digest for an image reference. */
export function imageDigest(ref: string): string {
  let h = 0x811c9dc5;
  for (const c of ref) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `sha256:${h.toString(16).padStart(8, '0').repeat(8)}`;
}

export interface CheckView {
  name: string;
  status: 'passing' | 'warning' | 'critical';
  output: string;
  updated_at: string;
}

/**
 * The checks a machine reports right now (they change as slow apps finish starting).
 * Only machines of a group with services have one (the service's check); the others have
 * none, and fly-go drops the empty list (`checks` omitempty: superfly/fly-go@v0.9.5 machine_types.go:60).
 */
export function machineChecks(machine: SimMachine, now = Date.now()): CheckView[] {
  if (machine.state === 'destroyed' || machine.hasServices === false) return [];
  const check = (status: CheckView['status'], output: string): CheckView[] => [
    { name: 'servicecheck-00-http-8080', status, output, updated_at: machine.updatedAt },
  ];
  if (machine.state !== 'started') return check('critical', 'the machine is not running');
  // Before a set crash, and through a restart loop, the app never answers its check.
  const p = machine.pending;
  const crashing = p !== undefined && (p.kind === 'crashloop' || (p.kind !== 'autostop' && now < p.at));
  if ((machine.readyAt !== undefined && now < machine.readyAt) || crashing) {
    return check(
      'critical',
      'Get "http://172.19.0.2:8080/health": dial tcp 172.19.0.2:8080: connect: connection refused',
    );
  }
  if (machine.unhealthy) return check('critical', 'GET /health: 500 Internal Server Error');
  return check('passing', 'GET /health: 200 OK');
}

/** The machine's `config.metadata` (setMachineReleaseData: flyctl@v0.4.87 machines_launchinput.go:266-281). */
function metadata(machine: SimMachine): Record<string, string> {
  const group = machine.processGroup ?? 'app';
  return {
    fly_flyctl_version: '0.4.87',
    fly_platform_version: 'v2',
    // Old machines carry only the legacy key, which fly-go still reads (machine_types.go:860-873).
    ...(machine.legacyGroupKey ? { process_group: group } : { fly_process_group: group }),
    fly_release_id: machine.releaseId,
    fly_release_version: String(machine.releaseVersion),
    // withMeta(fly_canary) on the canary strategy's machines (machines_deploymachinesapp.go:318).
    ...(machine.canary ? { fly_canary: 'true' } : {}),
  };
}

/** fly-go's Machine as `machines list --json` / `status --json` print it (machine_types.go:46-69). */
export function renderMachine(machine: SimMachine, now = Date.now()) {
  const image = splitImageRef(machine.imageRef);
  const group = machine.processGroup ?? 'app';
  const checks = machineChecks(machine, now);
  return {
    id: machine.id,
    name: machine.name,
    state: machine.state,
    region: machine.region,
    image_ref: {
      registry: image.registry,
      repository: image.repository,
      tag: image.tag,
      digest: image.digest || imageDigest(machine.imageRef),
      labels: { 'fly.version': image.tag },
    },
    instance_id: machine.instanceId,
    private_ip: machine.privateIp,
    created_at: machine.createdAt,
    updated_at: machine.updatedAt,
    config: {
      env: { ...machine.env, FLY_PROCESS_GROUP: group, PRIMARY_REGION: machine.region },
      init: {},
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
      metadata: metadata(machine),
      ...(machine.hasServices === false
        ? {}
        : {
            services: [
              {
                protocol: 'tcp',
                internal_port: 8080,
                autostop: 'stop',
                autostart: true,
                min_machines_running: 0,
                ports: [
                  { port: 80, handlers: ['http'], force_https: true },
                  { port: 443, handlers: ['tls', 'http'] },
                ],
                force_instance_key: null,
              },
            ],
          }),
      image: machine.imageRef,
      restart: { policy: 'on-failure', max_retries: 10 },
      ...(machine.standbys?.length ? { standbys: machine.standbys } : {}),
    },
    ...(machine.events?.length ? { events: machine.events } : {}),
    ...(checks.length ? { checks } : {}),
    host_status: 'ok',
    cordoned: false,
  };
}

/** fly-go's Release (superfly/fly-go@v0.9.5 types.go), no json tags: PascalCase. InProgress/DeploymentStrategy are never queried, so zero. */
export function renderRelease(state: SimState, release: SimRelease) {
  return {
    ID: release.id,
    Version: release.version,
    Stable: release.status === 'complete',
    InProgress: false,
    Reason: '',
    Description: '',
    Status: release.status,
    DeploymentStrategy: '',
    Metadata: null,
    User: { ID: state.user.id, Name: state.user.name, Email: state.user.email, EnablePaidHobby: false },
    EvaluationID: '',
    CreatedAt: release.createdAt,
    ImageRef: release.imageRef,
  };
}

/** The release the platform calls current: the newest complete one. */
export function currentRelease(app: SimApp): SimRelease | undefined {
  return [...app.releases].reverse().find((r) => r.status === 'complete');
}

export function appUrlOf(app: SimApp): string {
  return app.port ? `http://127.0.0.1:${app.port}` : '';
}

export function renderStatus(app: SimApp, now = Date.now()) {
  // ListActive: no release_command or console machine, nothing destroyed
  // (superfly/fly-go@v0.9.5 flaps/flaps_machines.go:171-192; flyctl@v0.4.87 internal/command/status/machines.go).
  const machines = app.machines
    .filter(
      (m) =>
        m.state !== 'destroyed' && !['fly_app_release_command', 'fly_app_console'].includes(m.processGroup ?? 'app'),
    )
    .sort((a, b) => (a.id < b.id ? 1 : -1))
    .map((m) => renderMachine(m, now));
  const deployed = app.machines.length > 0;
  // A map[string]any in flyctl: keys come out sorted.
  return {
    AppURL: appUrlOf(app),
    Deployed: deployed,
    Hostname: `${app.name}.fly.dev`,
    ID: app.id,
    Machines: machines,
    Name: app.name,
    Organization: {
      ID: `Org${app.org}`,
      InternalNumericID: '12345',
      Name: '',
      Slug: app.org,
      RawSlug: '',
      PaidPlan: true,
    },
    PlatformVersion: 'machines',
    Status: deployed ? 'deployed' : 'pending',
    Version: currentRelease(app)?.version ?? 0,
  };
}

/** `fly.App` as apps list/create print it: every field present, zero values where unset. */
export function renderApp(app: SimApp) {
  const release = currentRelease(app);
  const deployed = app.machines.length > 0;
  const nodes = { Nodes: null };
  return {
    ID: app.id,
    InternalNumericID: 0,
    Name: app.name,
    State: '',
    Status: deployed ? 'deployed' : 'pending',
    Deployed: deployed,
    Hostname: `${app.name}.fly.dev`,
    AppURL: appUrlOf(app),
    Version: 0,
    NetworkID: 0,
    Network: '',
    Release: null,
    Organization: {
      ID: '',
      InternalNumericID: '',
      Name: app.org,
      Slug: app.org,
      RawSlug: '',
      Type: '',
      PaidPlan: false,
    },
    Secrets: null,
    CurrentRelease: release
      ? {
          ID: '',
          Version: 0,
          Stable: false,
          InProgress: false,
          Reason: '',
          Description: '',
          Status: release.status,
          DeploymentStrategy: '',
          Metadata: null,
          User: { ID: '', Name: '', Email: '', EnablePaidHobby: false },
          EvaluationID: '',
          CreatedAt: release.createdAt,
          ImageRef: '',
        }
      : null,
    Releases: nodes,
    IPAddresses: nodes,
    EgressIpAddresses: nodes,
    SharedIPAddress: '',
    CNAMETarget: '',
    IPAddress: null,
    Certificates: nodes,
    PostgresAppRole: null,
    Image: null,
    ImageUpgradeAvailable: false,
    ImageVersionTrackingEnabled: false,
    PlatformVersion: 'machines',
    Machines: nodes,
    CurrentLock: null,
  };
}

export function renderImage(machine: SimMachine): Record<string, string> {
  const image = splitImageRef(machine.imageRef);
  return {
    Digest: image.digest || imageDigest(machine.imageRef),
    Labels: JSON.stringify({ 'fly.version': image.tag }),
    MachineID: machine.id,
    Registry: image.registry,
    Repository: image.repository,
    Tag: image.tag,
    Version: image.tag,
  };
}
