/**
 * Contract tests: every action.yml against GitHub's schema and the code that
 * implements it, the generated catalog, and each bundle's behaviour with no inputs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { runBundle } from '@deploy-actions/runner';
import { input } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { ACTIONS, actionYmlPath, discoverActions, ROOT, readActionYml } from '../scripts/actions';
import { CATALOG_PATH, EXAMPLES, renderCatalog } from '../scripts/catalog';
import { LOCKFILE, missingOptionals } from '../scripts/complete-lockfile';
import { contractMismatches } from '../scripts/contract';

const sourceFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f))
    : [];

it('the action list matches the folders holding an action.yml', () => {
  expect(discoverActions()).toEqual([...ACTIONS].sort());
});

it('package-lock.json lists every optional dependency, so that npm ci accepts it', () => {
  const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
  expect(
    missingOptionals(lock).map(([where]) => where),
    'run npm run lockfile',
  ).toEqual([]);
});

it('the catalog examples use only declared inputs', () => {
  for (const [name, inputs] of Object.entries(EXAMPLES)) {
    expect(
      Object.keys(inputs).filter((key) => !(key in (readActionYml(name).inputs ?? {}))),
      name,
    ).toEqual([]);
  }
});

it('action-catalog.md is what `npm run catalog` generates', () => {
  expect(readFileSync(CATALOG_PATH, 'utf8')).toBe(renderCatalog());
});

describe.each(ACTIONS)('%s', (name) => {
  const yml = readActionYml(name);

  it('validates against GitHub’s action schema', () => {
    const content = readFileSync(actionYmlPath(name), 'utf8');
    const result = parseAction({ name: `${name}/action.yml`, content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
  });

  it('runs on node24 from an existing bundle in dist/', () => {
    expect(yml.runs.using).toBe('node24');
    expect(yml.runs.main).toBe(`../dist/${name}/index.js`);
    expect(existsSync(join(ROOT, name, yml.runs.main))).toBe(true);
  });

  it('describes itself and every input and output', () => {
    expect(yml.description?.length).toBeGreaterThan(10);
    for (const [key, spec] of Object.entries({ ...yml.inputs, ...yml.outputs })) {
      expect(spec?.description, `${key} has a description`).toBeTruthy();
    }
  });

  it('reads exactly the inputs action.yml declares, with the same defaults, and sets its outputs', async () => {
    const contract = await import(`../actions/${name}/src/contract.ts`);
    expect(contractMismatches(yml, contract)).toEqual([]);
  });

  it('reads inputs only through its schema', () => {
    const files = sourceFiles(join(ROOT, 'actions', name, 'src'));
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/getInput|getBooleanInput|getMultilineInput|INPUT_/);
    }
  });

  it('run with no inputs under Node 24: one clear error or a clean run, never a stack trace', async () => {
    const required = Object.entries(yml.inputs ?? {}).filter(([, spec]) => spec.required);
    const r = await runBundle(name, { env: { FLY_API_TOKEN: undefined, PATH: '/usr/bin:/bin' } });
    expect(r.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(r.log).not.toMatch(/Unexpected error/);
    const errors = r.annotations.filter((a) => a.level === 'error');
    if (r.exitCode === 0) {
      expect(errors).toEqual([]);
    } else {
      expect(r.exitCode).toBe(1);
      expect(errors).toHaveLength(1);
      if (required.length > 0) expect(errors[0].message).toMatch(new RegExp(required.map(([k]) => k).join('|')));
    }
  });
});

it('every flyctl-version default is the pinned release packages/fly installs', async () => {
  const { DEFAULT_FLYCTL_VERSION } = await import('@deploy-actions/fly');
  const pinned = ACTIONS.map((name) => [name, readActionYml(name).inputs?.['flyctl-version']?.default] as const).filter(
    ([, value]) => value !== undefined,
  );
  expect(pinned.length).toBeGreaterThan(0);
  for (const [name, value] of pinned) expect(value, name).toBe(DEFAULT_FLYCTL_VERSION);
});

it('packages read no action inputs behind the schema’s back', () => {
  const offenders = readdirSync(join(ROOT, 'packages'))
    .filter((p) => !['toolkit', 'runner', 'rehearsal', 'testkit', 'fly-sim'].includes(p))
    .flatMap((p) => sourceFiles(join(ROOT, 'packages', p, 'src')))
    // Reading one is `getInput(` or an `INPUT_<NAME>` lookup; a pattern that strips them from a child's
    // environment (pg-migrate's `command`) reads none.
    .filter((file) => /getInput\(|INPUT_[A-Z0-9_-]+|['"`]INPUT_/.test(readFileSync(file, 'utf8')));
  expect(offenders).toEqual([]);
});

describe('the contract comparison itself', () => {
  const yml = {
    name: 'x',
    description: 'x',
    runs: { using: 'node24', main: 'x' },
    inputs: { app: { description: 'a', required: true }, timeout: { description: 't', default: '5m' } },
    outputs: { done: { description: 'd' } },
  };

  it('accepts a matching contract', () => {
    const code = {
      inputs: { app: input.string({ required: true }), timeout: input.duration({ default: '5m' }) },
      outputs: ['done'],
    };
    expect(contractMismatches(yml, code)).toEqual([]);
  });

  it('fails on every kind of mismatch', () => {
    const code = {
      inputs: { app: input.string(), timeout: input.duration({ default: '10m' }), extra: input.string() },
      outputs: ['done', 'more'],
    };
    expect(contractMismatches(yml, code)).toEqual([
      "input 'extra' is read by the code but not declared in action.yml",
      "input 'app': action.yml says required=true, the code says false",
      'input \'timeout\': action.yml default "5m", the code\'s "10m"',
      "output 'more' is set by the code but not declared in action.yml",
    ]);
    expect(contractMismatches(yml, { inputs: { app: input.string({ required: true }) }, outputs: [] })).toEqual([
      "input 'timeout' is declared in action.yml but the code never reads it",
      "output 'done' is declared in action.yml but the code never sets it",
    ]);
  });
});
