import * as z from 'zod';

/**
 * Schemas for every JSON shape flyctl prints (reference: flyctl.md §1). Each is
 * loose: unknown fields pass, missing optional fields get defaults, so newer or
 * older flyctl releases still parse. Normalised types are what callers use.
 */

const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const num = z
  .number()
  .nullish()
  .transform((v) => v ?? 0);
const bool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);

// --- releases --json (PascalCase Go structs, newest first, at most 25) ---

const releaseSchema = z.looseObject({
  ID: str,
  Version: num,
  Stable: bool,
  InProgress: bool,
  Reason: str,
  Description: str,
  Status: str,
  DeploymentStrategy: str,
  User: z.looseObject({ ID: str, Name: str, Email: str }).nullish(),
  CreatedAt: str,
  ImageRef: str,
});

export interface Release {
  id: string;
  version: number;
  /** `running`, `complete`, `failed`, `interrupted` (or '' on old releases). */
  status: string;
  stable: boolean;
  imageRef: string;
  description: string;
  reason: string;
  createdAt: string;
  userEmail: string;
}

export const releasesSchema = z
  .array(releaseSchema)
  .nullable()
  .transform((list): Release[] =>
    (list ?? [])
      .map((r) => ({
        id: r.ID,
        version: r.Version,
        status: r.Status,
        stable: r.Stable,
        imageRef: r.ImageRef,
        description: r.Description,
        reason: r.Reason,
        createdAt: r.CreatedAt,
        userEmail: r.User?.Email ?? '',
      }))
      .sort((a, b) => b.version - a.version),
  );

/** The line flyctl prints after a successful deploy when FLY_EMIT_RELEASE_JSON is set. */
export const releaseLineSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  image_ref: z.string().nullish(),
});

// --- secrets list --json (three shapes over time) ---

export type SecretStatus = 'Deployed' | 'Staged' | 'Partial' | 'Unknown';

export interface Secret {
  name: string;
  digest: string;
  /** Only flyctl >= 0.4.6 reports it, and only for apps with at most 100 machines. */
  status?: SecretStatus;
  createdAt?: string;
  updatedAt?: string;
}

const secretCurrent = z.looseObject({
  name: z.string(),
  digest: str,
  status: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
const secretLegacy = z.looseObject({ Name: z.string(), Digest: str, CreatedAt: z.string().nullish() });

const SECRET_STATUSES: readonly string[] = ['Deployed', 'Staged', 'Partial', 'Unknown'];

export const secretsSchema = z
  .array(z.union([secretCurrent, secretLegacy]))
  .nullable()
  .transform((list): Secret[] =>
    (list ?? []).map((s) => {
      if (!('name' in s) || typeof s.name !== 'string') {
        const legacy = s as z.output<typeof secretLegacy>;
        return { name: legacy.Name, digest: legacy.Digest, createdAt: legacy.CreatedAt ?? undefined };
      }
      const current = s as z.output<typeof secretCurrent>;
      const status =
        current.status && SECRET_STATUSES.includes(current.status) ? (current.status as SecretStatus) : undefined;
      return {
        name: current.name,
        digest: current.digest,
        status: current.status ? (status ?? 'Unknown') : undefined,
        createdAt: current.created_at ?? undefined,
        updatedAt: current.updated_at ?? undefined,
      };
    }),
  );

// --- machines (snake_case Machines API types) ---

const checkSchema = z.looseObject({ name: str, status: str, output: str, updated_at: str });

/**
 * fly-go's MachineEvent / MachineRequest / MachineExitEvent (superfly/fly-go@v0.9.5
 * machine_types.go:293-336): the Machines API lists them newest first.
 */
const exitEventSchema = z.looseObject({
  exit_code: num,
  oom_killed: bool,
  requested_stop: bool,
  restarting: bool,
  exited_at: str,
});
const eventSchema = z.looseObject({
  type: str,
  status: str,
  source: str,
  timestamp: num,
  request: z
    .looseObject({ exit_event: exitEventSchema.nullish(), restart_count: num })
    .nullish()
    .transform((v) => v ?? undefined),
});

export const machineSchema = z.looseObject({
  id: z.string(),
  name: str,
  state: str,
  region: str,
  image_ref: z
    .looseObject({
      registry: str,
      repository: str,
      tag: str,
      digest: str,
      labels: z.record(z.string(), z.string()).nullish(),
    })
    .nullish(),
  instance_id: str,
  private_ip: str,
  created_at: str,
  updated_at: str,
  config: z
    .looseObject({
      image: str,
      env: z.record(z.string(), z.string()).nullish(),
      metadata: z.record(z.string(), z.string()).nullish(),
      standbys: z.array(z.string()).nullish(),
    })
    .nullish(),
  checks: z
    .array(checkSchema)
    .nullish()
    .transform((v) => v ?? []),
  events: z
    .array(eventSchema)
    .nullish()
    .transform((v) => v ?? []),
  host_status: str,
  cordoned: bool,
});

export type Machine = z.output<typeof machineSchema>;
export type MachineCheck = z.output<typeof checkSchema>;

export const machinesSchema = z
  .array(machineSchema)
  .nullable()
  .transform((v) => v ?? []);

/** The release a machine runs (`config.metadata.fly_release_version`), if it says. */
/**
 * The image a machine runs: `config.image` as deployed, else rebuilt from the Machines API's
 * `image_ref` parts (superfly/fly-go@v0.9.5 machine_types.go:51 and :285).
 */
export function machineImageRef(machine: Machine): string {
  if (machine.config?.image) return machine.config.image;
  const ref = machine.image_ref;
  if (!ref?.repository) return '';
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}`;
}

export function machineReleaseVersion(machine: Machine): number | undefined {
  const raw = machine.config?.metadata?.fly_release_version;
  return raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The process group of a machine (`app`, `worker`...), or ''. Old machines carry only the
 * legacy `process_group` key, which fly-go still reads (machine_types.go:860-873).
 */
export function machineProcessGroup(machine: Machine): string {
  const metadata = machine.config?.metadata;
  return metadata?.fly_process_group || metadata?.process_group || '';
}

export type MachineEvent = z.output<typeof eventSchema>;

/** The machine's newest `exit` event, if it has one. */
export function lastExit(machine: Machine): MachineEvent | undefined {
  return machine.events.filter((e) => e.type === 'exit').sort((a, b) => b.timestamp - a.timestamp)[0];
}

/** Groups of machines that serve no app traffic (fly-go machine_types.go:24-27). */
export const PLATFORM_GROUPS: readonly string[] = [
  'fly_app_release_command',
  'fly_app_test_machine_command',
  'fly_app_console',
];

// --- status --json (map with alphabetical PascalCase keys; Machines are snake_case) ---

export const statusSchema = z.looseObject({
  AppURL: str,
  Deployed: bool,
  Hostname: str,
  ID: str,
  Machines: z
    .array(machineSchema)
    .nullish()
    .transform((v) => v ?? []),
  Name: str,
  Organization: z.looseObject({ ID: str, Slug: str, Name: str }).nullish(),
  PlatformVersion: str,
  Status: str,
  Version: num,
});

export type AppStatus = z.output<typeof statusSchema>;

/**
 * The public URL of an app: flyctl's `AppURL` when it reports one (fly-sim reports
 * its loopback server there), else `https://<Hostname>`.
 */
export function appUrl(status: Pick<AppStatus, 'AppURL' | 'Hostname'>): string {
  if (status.AppURL) return status.AppURL.endsWith('/') ? status.AppURL : `${status.AppURL}/`;
  return status.Hostname ? `https://${status.Hostname}/` : '';
}

// --- apps list --json ---

export const appsSchema = z
  .array(
    z.looseObject({
      ID: str,
      Name: str,
      Status: str,
      Deployed: bool,
      Hostname: str,
      AppURL: str,
      Organization: z.looseObject({ Slug: str, Name: str }).nullish(),
    }),
  )
  .nullable()
  .transform((v) => v ?? []);

// --- image show --json (maps of strings; Labels is itself JSON text) ---

export const imagesSchema = z
  .union([
    z.array(z.record(z.string(), z.string())),
    z.record(z.string(), z.string()).transform((one) => [one]),
    z.null().transform(() => []),
  ])
  .transform((list) =>
    list.map((m) => ({
      machineId: m.MachineID ?? '',
      registry: m.Registry ?? '',
      repository: m.Repository ?? '',
      tag: m.Tag ?? '',
      digest: m.Digest ?? '',
      version: m.Version ?? '',
      labels: parseLabels(m.Labels ?? ''),
    })),
  );

function parseLabels(text: string): Record<string, string> {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export type ImageInfo = z.output<typeof imagesSchema>[number];

// --- ips list --json (fly-go@v0.9.5 types.go:484-497: no JSON tags, Go field names) ---

export const ipsSchema = z
  .array(z.looseObject({ ID: str, Address: str, Type: str, Region: str }))
  .nullable()
  .transform((v) => v ?? []);
export type IpAddress = z.infer<typeof ipsSchema>[number];
