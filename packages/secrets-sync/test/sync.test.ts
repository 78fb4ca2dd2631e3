import { Fly } from '@deploy-actions/fly';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../src/rules';
import { type SyncOptions, syncSecrets } from '../src/sync';

let sim: FlySim;
const TOKEN = 'sync-test-token';

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

function fly(extraEnv: Record<string, string> = {}): Fly {
  return new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env, ...extraEnv } });
}

const base = { mode: 'merge', stage: true, deploy: false, dryRun: false } as const;
const sync = (app: string, declared: Record<string, string>, options: Partial<SyncOptions> = {}, client = fly()) =>
  syncSecrets(client, { ...base, app, declared: new Map(Object.entries(declared)), ...options });

/** The secrets commands run since `since` (an index into the call log). */
async function secretsCalls(since: number): Promise<string[]> {
  return (await sim.calls()).slice(since).map((c) => c.args.filter((a) => !a.startsWith('--app')).join(' '));
}

const values = (app: string) =>
  Object.fromEntries(Object.entries(sim.state().apps[app].secrets).map(([n, s]) => [n, s.value]));

describe('syncSecrets against fly-sim', () => {
  it('adds in one staged import, then a re-run writes nothing', async () => {
    await sim.seedApp('sync-merge', { releases: ['v1'], secrets: { KEPT: 'already-there' } });
    const declared = { DATABASE_URL: 'postgres://u:p@db:5432/app', API_KEY: 'k#ey "with" quotes' };
    const start = (await sim.calls()).length;
    const first = await sync('sync-merge', declared);
    expect(first.plan.add).toEqual(['API_KEY', 'DATABASE_URL']);
    expect(first.plan.kept).toEqual(['KEPT']);
    expect(first.writes).toEqual(['secrets import --stage']);
    expect(first.staged).toBe(true);
    expect(values('sync-merge')).toEqual({ ...declared, KEPT: 'already-there' });
    const calls = (await sim.calls()).slice(start);
    expect(calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['secrets list', 'secrets import']);
    for (const call of calls) for (const v of Object.values(declared)) expect(call.args.join(' ')).not.toContain(v);
    expect(calls[1].stdinBytes).toBeGreaterThan(0);

    const again = (await sim.calls()).length;
    const second = await sync('sync-merge', declared);
    expect(second.plan.unchanged).toEqual(['API_KEY', 'DATABASE_URL']);
    expect(second.writes).toEqual([]);
    expect(second.staged).toBe(false);
    // flyctl still reports the first run's secrets as staged: a deploy is needed for them.
    expect(second.pending).toEqual(['API_KEY', 'DATABASE_URL']);
    expect(await secretsCalls(again)).toEqual(['secrets list sync-merge --json']);
  });

  it('exact: changes, removes undeclared names except protected ones, and applies with one restart', async () => {
    await sim.seedApp('sync-exact', {
      releases: ['v1'],
      secrets: { SAME: 'same-value', OLD_VALUE: 'before', GONE: 'remove-me', PROTECTED_ONE: 'keep-me' },
    });
    const start = (await sim.calls()).length;
    const result = await sync(
      'sync-exact',
      { SAME: 'same-value', OLD_VALUE: 'after', NEW_ONE: 'fresh-value' },
      { mode: 'exact', protectedNames: ['PROTECTED_ONE'], deploy: true },
    );
    expect(result.plan).toMatchObject({
      add: ['NEW_ONE'],
      change: ['OLD_VALUE'],
      remove: ['GONE'],
      unchanged: ['SAME'],
      kept: ['PROTECTED_ONE'],
    });
    expect(result.writes).toEqual(['secrets import --stage', 'secrets unset']);
    expect(result.staged).toBe(false);
    expect(result.firstDeployment).toBe(false);
    expect(await secretsCalls(start)).toEqual([
      'secrets list sync-exact --json',
      'secrets import sync-exact --stage',
      'secrets unset GONE sync-exact',
    ]);
    const app = sim.state().apps['sync-exact'];
    expect(values('sync-exact')).toEqual({
      SAME: 'same-value',
      OLD_VALUE: 'after',
      NEW_ONE: 'fresh-value',
      PROTECTED_ONE: 'keep-me',
    });
    expect(Object.values(app.secrets).every((s) => s.deployed)).toBe(true);
  });

  it('stage: false writes without --stage, so flyctl restarts the machines with the new secret', async () => {
    await sim.seedApp('sync-unstaged', { releases: ['v1'] });
    const result = await sync('sync-unstaged', { LIVE_NOW: 'live-value' }, { stage: false });
    expect(result.writes).toEqual(['secrets import']);
    expect(result.staged).toBe(false);
    expect(sim.state().apps['sync-unstaged'].secrets.LIVE_NOW.deployed).toBe(true);
  });

  it('on an app with no machines, deploy leaves the secrets for its first deployment', async () => {
    await sim.seedApp('sync-empty');
    const result = await sync('sync-empty', { A_SECRET: 'value-one' }, { deploy: true });
    expect(result.writes).toEqual(['secrets import']);
    expect(result.firstDeployment).toBe(true);
    expect(result.staged).toBe(true);
  });

  it('dry run and broken rules write nothing', async () => {
    await sim.seedApp('sync-dry', { releases: ['v1'], secrets: { OLD: 'x-value' } });
    const start = (await sim.calls()).length;
    const dry = await sync('sync-dry', { NEW_ONE: 'value-new' }, { mode: 'exact', dryRun: true });
    expect(dry.plan.add).toEqual(['NEW_ONE']);
    expect(dry.plan.remove).toEqual(['OLD']);
    expect(dry.writes).toEqual([]);
    const rules = await loadRules('min-length: {NEW_ONE: 32}', '.');
    await expect(sync('sync-dry', { NEW_ONE: 'short-value' }, { rules })).rejects.toThrow(
      /NEW_ONE breaks rule "min-length"/,
    );
    await expect(sync('sync-dry', {}, { mode: 'exact' })).rejects.toThrow(/would remove every secret/);
    expect(await secretsCalls(start)).toEqual(['secrets list sync-dry --json', 'secrets list sync-dry --json']);
    expect(values('sync-dry')).toEqual({ OLD: 'x-value' });
  });

  it('refuses a value flyctl secrets import cannot carry, naming it, before any write (dry run too)', async () => {
    await sim.seedApp('sync-unsendable', { releases: ['v1'], secrets: { OLD: 'x-value' } });
    const start = (await sim.calls()).length;
    const declared = { FINE: 'fine-value', BROKEN: 'line one"""\nline two' };
    for (const dryRun of [true, false]) {
      await expect(sync('sync-unsendable', declared, { mode: 'exact', dryRun })).rejects.toThrow(
        /^Secret BROKEN cannot be passed to flyctl secrets import: a line other than the last ends in `"""`/,
      );
    }
    expect(await secretsCalls(start)).toEqual([
      'secrets list sync-unsendable --json',
      'secrets list sync-unsendable --json',
    ]);
    expect(values('sync-unsendable')).toEqual({ OLD: 'x-value' });
  });

  it('writes values the old encoder lost (odd quote before #, lone quotes, CR) and unsets in the same run', async () => {
    await sim.seedApp('sync-awkward', { releases: ['v1'], secrets: { GONE: 'remove-me' } });
    const declared = { ODD: 'a"b#c', QUOTE: '"', APOSTROPHE: "'", CR: 'a\rb', LAST: 'after-them' };
    const result = await sync('sync-awkward', declared, { mode: 'exact' });
    expect(result.writes).toEqual(['secrets import --stage', 'secrets unset --stage']);
    expect(values('sync-awkward')).toEqual(declared);
  });

  it('refuses to pass a remote name that could read as a flag to secrets unset', async () => {
    await sim.seedApp('sync-odd', { releases: ['v1'] });
    const seeded = await sim.run(['secrets', 'import', '--app', 'sync-odd', '--stage'], {
      env: { FLY_API_TOKEN: TOKEN },
      input: '--stage=odd-value\n',
    });
    expect(seeded.code).toBe(0);
    const start = (await sim.calls()).length;
    await expect(sync('sync-odd', { FINE: 'fine-value' }, { mode: 'exact' })).rejects.toThrow(
      'Refusing to unset secrets with unexpected names: "--stage"',
    );
    expect(await secretsCalls(start)).toEqual(['secrets list sync-odd --json']);
  });

  it.each([
    ['0.3.170', 'PascalCase, MD5 digests'],
    ['0.4.5', 'lower case with timestamps'],
  ])('reads the secrets list of flyctl %s (%s): a re-run writes nothing', async (version) => {
    const app = `sync-v${version.replace(/\./g, '-')}`;
    await sim.seedApp(app, { releases: ['v1'] });
    const client = fly({ FLY_SIM_VERSION: version });
    const declared = { PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', JSON: '{"a":"#b"}' };
    expect((await sync(app, declared, {}, client)).plan.add).toEqual(['JSON', 'PEM']);
    const again = await sync(app, declared, {}, client);
    expect(again.plan.unchanged).toEqual(['JSON', 'PEM']);
    expect(again.writes).toEqual([]);
    expect(values(app)).toEqual(declared);
  });

  it('retries a transient failure (lease held) and then succeeds', async () => {
    await sim.seedApp('sync-retry', { releases: ['v1'] });
    await sim.injectFaults('secrets:lease');
    try {
      const result = await sync('sync-retry', { RETRIED: 'value-retried' });
      expect(result.writes).toEqual(['secrets import --stage']);
      expect(values('sync-retry')).toEqual({ RETRIED: 'value-retried' });
    } finally {
      await sim.injectFaults('');
    }
  });
});
