/**
 * The few fly.toml facts the suite needs, read with a small line parser:
 * top-level `app` and `primary_region`, `[deploy] strategy`, `[env]` entries, and whether a
 * service is defined.
 */
export interface FlyToml {
  app?: string;
  primaryRegion?: string;
  strategy?: string;
  env: Record<string, string>;
  /**
   * The app defines a service (`[http_service]` or `[[services]]`): what flyctl deploys IPs for on
   * a first deploy, `len(md.appConfig.AllServices()) == 0` meaning none (superfly/flyctl@v0.4.87
   * internal/command/deploy/deploy_first.go:30, AllServices in internal/appconfig/service.go:96).
   * Without one the app is a worker: nothing answers at its URL.
   */
  hasServices: boolean;
}

function unquote(value: string): string {
  const v = value.replace(/\s+#.*$/, '').trim();
  const m = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(v);
  return m ? (m[1] ?? m[2]) : v;
}

export function parseFlyToml(text: string): FlyToml {
  const out: FlyToml = { env: {}, hasServices: false };
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      section = header[1];
      if (section === 'http_service' || section === 'services') out.hasServices = true;
      continue;
    }
    const kv = /^([A-Za-z0-9_."-]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    const key = kv[1].replace(/^"|"$/g, '');
    const value = unquote(kv[2]);
    if (section === '' && key === 'app') out.app = value;
    else if (section === '' && key === 'primary_region') out.primaryRegion = value;
    else if (section === 'deploy' && key === 'strategy') out.strategy = value;
    else if (section === 'env') out.env[key] = value;
  }
  return out;
}
