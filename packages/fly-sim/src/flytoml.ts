import { parse } from 'smol-toml';

/**
 * fly.toml as the platform sees it, read with a full TOML parser (flyctl reads it with
 * go-toml into appconfig.Config: superfly/flyctl@v0.4.87 internal/appconfig/config.go),
 * never with the client's own line reader, so a bug there shows up in tests.
 */
export interface SimFlyToml {
  app?: string;
  primaryRegion?: string;
  strategy?: string;
  releaseCommand?: string;
  env: Record<string, string>;
  /** Process groups (`[processes]`), `app` when none are declared. */
  processes: string[];
  /** Groups with an `[http_service]` or `[[services]]` entry, and their autostop and autostart settings. */
  services: { processes: string[]; autostop: 'off' | 'stop' | 'suspend'; autostart: boolean }[];
  /** The port the app listens on: `[http_service] internal_port`, else the first `[[services]]`'. */
  internalPort?: number;
  /** `[build] dockerfile`, relative to fly.toml's folder. */
  dockerfile?: string;
}

const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** `auto_stop_machines`: a bool or "off"/"stop"/"suspend" (appconfig.Service, fly-go machine_types.go MachineAutostop). */
function autostop(value: unknown): 'off' | 'stop' | 'suspend' {
  if (value === true || value === 'stop') return 'stop';
  if (value === 'suspend') return 'suspend';
  return 'off';
}

/**
 * `auto_start_machines`: a bool, `true` when not set (appconfig.Service.AutoStartMachines *bool,
 * superfly/flyctl@v0.4.87 internal/appconfig/service.go:18, passed on as fly.MachineService.Autostart
 * at service.go:112; the default: https://fly.io/docs/reference/configuration/#the-http_service-section,
 * superfly/docs reference/configuration.html.markerb:350).
 */
const autostart = (value: unknown) => value !== false;

export function readFlyToml(text: string): SimFlyToml {
  const doc = parse(text) as Record<string, unknown>;
  const table = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const deploy = table(doc.deploy);
  const env = Object.fromEntries(Object.entries(table(doc.env)).map(([k, v]) => [k, String(v)]));
  const processes = Object.keys(table(doc.processes));
  const groups = processes.length > 0 ? processes : ['app'];
  const services: SimFlyToml['services'] = [];
  const groupsOf = (service: Record<string, unknown>) => {
    const listed = Array.isArray(service.processes) ? service.processes.map(String) : [];
    return listed.length > 0 ? listed : [groups[0]];
  };
  // `[http_service]` and each `[[services]]` entry are read alike; the first internal_port wins.
  const declared = [
    ...(doc.http_service ? [doc.http_service] : []),
    ...(Array.isArray(doc.services) ? doc.services : []),
  ];
  let internalPort: number | undefined;
  for (const s of declared.map(table)) {
    services.push({
      processes: groupsOf(s),
      autostop: autostop(s.auto_stop_machines),
      autostart: autostart(s.auto_start_machines),
    });
    if (internalPort === undefined && typeof s.internal_port === 'number') internalPort = s.internal_port;
  }
  return {
    app: asString(doc.app),
    primaryRegion: asString(doc.primary_region),
    strategy: asString(deploy.strategy),
    releaseCommand: asString(deploy.release_command),
    env,
    processes: groups,
    services,
    ...(internalPort !== undefined ? { internalPort } : {}),
    ...(asString(table(doc.build).dockerfile) ? { dockerfile: asString(table(doc.build).dockerfile) } : {}),
  };
}
