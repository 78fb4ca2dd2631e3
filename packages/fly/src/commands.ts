import { UserError } from '@deploy-actions/toolkit';
import type { Fly, FlyRun, RunOptions } from './client';
import { isAppNotFound } from './errors';
import { isAppName, ORG_SLUG } from './names';
import {
  type AppStatus,
  appsSchema,
  type IpAddress,
  imagesSchema,
  ipsSchema,
  type Machine,
  machinesSchema,
  type Release,
  releasesSchema,
  type Secret,
  secretsSchema,
  statusSchema,
} from './schemas';
import { assertSecretName, encodeImport } from './secrets-import';

/** Refuses anything flyctl could read as a flag or that is not a valid app name. */
export function assertAppName(app: string, what = 'app name'): void {
  if (!isAppName(app)) {
    throw new UserError(
      `Invalid ${what} ${JSON.stringify(app)}: expected lower-case letters, digits and dashes (at most 63, not starting or ending with "-")`,
    );
  }
}

/** Refuses a value that flyctl would parse as a flag. */
export function assertNotFlag(value: string, what: string): void {
  if (value.startsWith('-'))
    throw new UserError(`Invalid ${what} ${JSON.stringify(value)}: it must not start with "-"`);
}

/** `flyctl status --json`. */
export function getStatus(fly: Fly, app: string, options?: RunOptions): Promise<AppStatus> {
  assertAppName(app);
  return fly.json(['status', '--app', app, '--json'], statusSchema, options);
}

/** `flyctl machines list --json`: every machine, including release_command and console ones. */
export function listMachines(fly: Fly, app: string, options?: RunOptions): Promise<Machine[]> {
  assertAppName(app);
  return fly.json(['machines', 'list', '--app', app, '--json'], machinesSchema, options);
}

/** `flyctl releases --json`: the newest 25 releases only, newest first. */
export function listReleases(fly: Fly, app: string, options?: RunOptions): Promise<Release[]> {
  assertAppName(app);
  return fly.json(['releases', '--app', app, '--json'], releasesSchema, options);
}

/** `flyctl apps list --json`. */
export function listApps(fly: Fly, org?: string, options?: RunOptions) {
  const args = ['apps', 'list', '--json'];
  if (org) {
    assertNotFlag(org, 'org');
    args.push('--org', org);
  }
  return fly.json(args, appsSchema, options);
}

/** `flyctl image show --json`: one entry per machine (empty when the app has none). */
export function showImages(fly: Fly, app: string, options?: RunOptions) {
  assertAppName(app);
  return fly.json(['image', 'show', '--app', app, '--json'], imagesSchema, options);
}

/** True when the app exists (status answers), false when flyctl says it cannot be found. */
export async function appExists(fly: Fly, app: string, options?: RunOptions): Promise<boolean> {
  assertAppName(app);
  const run = await fly.run(['status', '--app', app, '--json'], { quietStdout: true, ...options, allowFailure: true });
  if (run.code === 0 && !run.timedOut) return true;
  if (isAppNotFound(run.errorMessage)) return false;
  throw fly.failure(run);
}

/** `flyctl apps create <app> --org <org>`; never `launch`, which rewrites fly.toml. */
export async function createApp(fly: Fly, app: string, org: string, options?: RunOptions): Promise<void> {
  assertAppName(app);
  if (!ORG_SLUG.test(org)) throw new UserError(`Invalid org ${JSON.stringify(org)}: expected an organization slug`);
  await fly.run(['apps', 'create', app, '--org', org], options);
}

/**
 * `flyctl apps destroy <app> --yes`. An app that is already gone counts as destroyed:
 * returns false then, true when this call destroyed it.
 */
export async function destroyApp(fly: Fly, app: string, options?: RunOptions): Promise<boolean> {
  assertAppName(app);
  const run = await fly.run(['apps', 'destroy', app, '--yes'], { ...options, allowFailure: true });
  if (run.code === 0 && !run.timedOut) return true;
  if (isAppNotFound(run.errorMessage)) return false;
  throw fly.failure(run);
}

// --- IP addresses ---

/** `flyctl ips list --json`: every address of the app (egress ones too). */
export function listIps(fly: Fly, app: string, options?: RunOptions): Promise<IpAddress[]> {
  assertAppName(app);
  return fly.json(['ips', 'list', '--app', app, '--json'], ipsSchema, options);
}

export type Ipv6Kind = 'public' | 'private';

/**
 * Makes sure the app has an IPv6 address of the kind: lists first, allocates only when none is
 * there, since every `ips allocate-v6` adds another address (superfly/flyctl@v0.4.87
 * internal/command/ips/allocate.go:130-182 calls AllocateIPAddress without looking). A public one
 * is type `v6`, a private (Flycast) one `private_v6`. Returns the address and whether it is new.
 */
export async function ensureIpv6(
  fly: Fly,
  app: string,
  kind: Ipv6Kind,
  options: RunOptions & { org?: string } = {},
): Promise<{ address: string; allocated: boolean }> {
  const type = kind === 'public' ? 'v6' : 'private_v6';
  const have = (await listIps(fly, app, options)).find((ip) => ip.Type === type);
  if (have) return { address: have.Address, allocated: false };
  const args = ['ips', 'allocate-v6', '--app', app];
  if (kind === 'private') args.push('--private');
  if (kind === 'private' && options.org) {
    if (!ORG_SLUG.test(options.org))
      throw new UserError(`Invalid org ${JSON.stringify(options.org)}: expected an organization slug`);
    args.push('--org', options.org);
  }
  // allocate-v6 prints a table and has no --json: the address is read back from the list.
  await fly.run(args, { quietStdout: true, ...options });
  const now = (await listIps(fly, app, options)).find((ip) => ip.Type === type);
  if (!now) throw new UserError(`flyctl ips allocate-v6 succeeded, but ${app} lists no ${type} address`);
  return { address: now.Address, allocated: true };
}

// --- secrets ---

/** `flyctl secrets list --json`, any of the three shapes flyctl has printed. */
export function listSecrets(fly: Fly, app: string, options?: RunOptions): Promise<Secret[]> {
  assertAppName(app);
  return fly.json(['secrets', 'list', '--app', app, '--json'], secretsSchema, options);
}

/**
 * `flyctl secrets import [--stage]` with the values on stdin, never in argv. Every value is
 * encoded first, so one flyctl cannot read back exactly fails (naming the secret) before any
 * write. Returns flyctl's run (its stdout says e.g. "staged for the first deployment"), or
 * undefined when there is nothing to import and flyctl was not called.
 */
export async function importSecrets(
  fly: Fly,
  app: string,
  values: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
  options: RunOptions & { stage?: boolean } = {},
): Promise<FlyRun | undefined> {
  assertAppName(app);
  const entries = values instanceof Map ? [...values] : Object.entries(values);
  if (entries.length === 0) return undefined;
  const input = encodeImport(entries);
  const args = ['secrets', 'import', '--app', app];
  if (options.stage) args.push('--stage');
  const { stage: _, ...runOptions } = options;
  return fly.run(args, { ...runOptions, input });
}

/**
 * `flyctl secrets unset NAME... [--stage]`; unsetting a missing secret is not an error.
 * Returns flyctl's run, or undefined when no names were given and flyctl was not called.
 */
export async function unsetSecrets(
  fly: Fly,
  app: string,
  names: readonly string[],
  options: RunOptions & { stage?: boolean } = {},
): Promise<FlyRun | undefined> {
  assertAppName(app);
  if (names.length === 0) return undefined;
  // Names reach flyctl's argv: only environment-style names, so none can read as a flag.
  for (const name of names) assertSecretName(name);
  const args = ['secrets', 'unset', ...names, '--app', app];
  if (options.stage) args.push('--stage');
  const { stage: _, ...runOptions } = options;
  return fly.run(args, runOptions);
}

/** `flyctl secrets deploy`: restarts machines so staged secrets take effect. */
export async function deploySecrets(fly: Fly, app: string, options: RunOptions & { detach?: boolean } = {}) {
  assertAppName(app);
  const args = ['secrets', 'deploy', '--app', app];
  if (options.detach) args.push('--detach');
  return fly.run(args, options);
}

/** `flyctl ssh console -C <command>`: runs one command on a machine of the app. */
export async function sshConsole(
  fly: Fly,
  app: string,
  command: string,
  options: RunOptions & { machine?: string } = {},
) {
  assertAppName(app);
  assertNotFlag(command, 'console command');
  const args = ['ssh', 'console', '--app', app, '-C', command];
  if (options.machine) {
    assertNotFlag(options.machine, 'machine id');
    args.push('--machine', options.machine);
  }
  return fly.run(args, options);
}

/**
 * `flyctl machine start <id>... --app`: starts stopped machines, one `<id> has been started` line
 * each (superfly/flyctl@v0.4.87 internal/command/machine/start.go:42-68).
 */
export async function startMachines(fly: Fly, app: string, ids: readonly string[], options?: RunOptions) {
  assertAppName(app);
  for (const id of ids) assertNotFlag(id, 'machine id');
  return fly.run(['machine', 'start', ...ids, '--app', app], options);
}

/**
 * `flyctl logs --no-tail --machine <id>`: the lines the platform still buffers for one
 * machine, colours removed (flyctl@v0.4.87 internal/render/logs.go colours them whatever
 * NO_COLOR says). Each line: `<time> <provider>[<id>] <region> [<level>]<message>`.
 */
export async function machineLogs(fly: Fly, app: string, machine: string, options?: RunOptions): Promise<string[]> {
  assertAppName(app);
  assertNotFlag(machine, 'machine id');
  const run = await fly.run(['logs', '--app', app, '--no-tail', '--machine', machine], {
    quietStdout: true,
    ...options,
  });
  return run.stdout
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}
