import { UserError } from '@deploy-actions/toolkit';
import type { Fly, RunOptions } from './client';
import { isAppNotFound } from './errors';
import { ENV_NAME, isAppName, ORG_SLUG } from './names';
import {
  type AppStatus,
  appsSchema,
  imagesSchema,
  type Machine,
  machinesSchema,
  type Release,
  releasesSchema,
  type Secret,
  secretsSchema,
  statusSchema,
} from './schemas';

/** Refuses anything flyctl could read as a flag or that is not a valid app name. */
export function assertAppName(app: string, what = 'app name'): void {
  if (!isAppName(app)) {
    throw new UserError(
      `Invalid ${what} ${JSON.stringify(app)}: expected lower-case letters, digits and dashes (at most 63, not starting with "-")`,
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

// --- secrets ---

/** `flyctl secrets list --json`, any of the three shapes flyctl has printed. */
export function listSecrets(fly: Fly, app: string, options?: RunOptions): Promise<Secret[]> {
  assertAppName(app);
  return fly.json(['secrets', 'list', '--app', app, '--json'], secretsSchema, options);
}

/**
 * One `secrets import` line that flyctl's parser (reference §3.1) reads back as exactly
 * `value`: plain when nothing in it is special, else in double quotes, else triple quotes.
 */
export function importLine(name: string, value: string): string {
  if (/\r/.test(value))
    throw new UserError(`Secret ${name} contains a carriage return, which \`flyctl secrets import\` drops`);
  if (value.includes('\n')) {
    const lines = value.split('\n');
    // A line ending in """ would end the value early.
    if (lines.slice(0, -1).some((line) => line.endsWith('"""'))) {
      throw new UserError(`Secret ${name} has a line ending in """, which \`flyctl secrets import\` cannot carry`);
    }
    return `${name}="""${value}"""`;
  }
  const quoted = /^(["']).*\1$/s.test(value) && value.length >= 2;
  const special = value.includes('#') || /^\s/.test(value) || quoted || value.startsWith('"""') || value === '';
  if (!special) return `${name}=${value}`;
  if (!value.includes('"')) return `${name}="${value}"`;
  return `${name}="""${value}"""`;
}

/** The stdin text for `secrets import`, one `NAME="""value"""` per secret. */
export function importText(values: Record<string, string>): string {
  return `${Object.entries(values)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new UserError(`Invalid secret name ${JSON.stringify(name)}`);
      return importLine(name, value);
    })
    .join('\n')}\n`;
}

/** `flyctl secrets import [--stage]` with the values on stdin, never in argv. */
export async function importSecrets(
  fly: Fly,
  app: string,
  values: Record<string, string>,
  options: RunOptions & { stage?: boolean } = {},
): Promise<void> {
  assertAppName(app);
  if (Object.keys(values).length === 0) return;
  const args = ['secrets', 'import', '--app', app];
  if (options.stage) args.push('--stage');
  await fly.run(args, { ...options, input: importText(values) });
}

/** `flyctl secrets unset NAME... [--stage]`; unsetting a missing secret is not an error. */
export async function unsetSecrets(
  fly: Fly,
  app: string,
  names: readonly string[],
  options: RunOptions & { stage?: boolean } = {},
): Promise<void> {
  assertAppName(app);
  if (names.length === 0) return;
  for (const name of names) {
    if (!ENV_NAME.test(name)) throw new UserError(`Invalid secret name ${JSON.stringify(name)}`);
  }
  const args = ['secrets', 'unset', ...names, '--app', app];
  if (options.stage) args.push('--stage');
  await fly.run(args, options);
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
