/**
 * What `npm ci` will do with the committed lockfile: install only this platform's binaries, and
 * accept every Node version package.json says the project supports without an engine warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/actions';
import {
  completeLockfile,
  LOCKFILE,
  type Lockfile,
  platformFromName,
  platformlessStubs,
} from '../scripts/complete-lockfile';

const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8')) as Lockfile;
const supported = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;

describe('package-lock.json', () => {
  it('gives every optional binary an os and a cpu, so npm ci skips the other platforms', () => {
    expect(platformlessStubs(lock), 'run npm run lockfile').toEqual([]);
  });

  it('holds no package whose engines exclude a Node version package.json supports (EBADENGINE)', () => {
    const narrower = Object.entries(lock.packages)
      .filter(([, meta]) => meta.engines?.node && !semver.subset(supported, meta.engines.node))
      .map(([where, meta]) => `${where} wants node ${meta.engines?.node}`);
    expect(narrower).toEqual([]);
  });

  it('matches what the root package.json declares as supported', () => {
    expect(lock.packages[''].engines?.node).toBe(supported);
    for (const version of ['20.19.0', '22.13.0', '24.0.0']) expect(semver.satisfies(version, supported)).toBe(true);
  });
});

describe('npm run lockfile', () => {
  it('reads the platform from the names the binary packages use', () => {
    expect(platformFromName('@biomejs/cli-linux-x64-musl')).toEqual({ os: ['linux'], cpu: ['x64'], libc: ['musl'] });
    expect(platformFromName('@biomejs/cli-win32-arm64')).toEqual({ os: ['win32'], cpu: ['arm64'] });
    expect(platformFromName('@dbmate/linux-ia32')).toEqual({ os: ['linux'], cpu: ['ia32'] });
    expect(platformFromName('@squawk-cli/darwin-x64')).toEqual({ os: ['darwin'], cpu: ['x64'] });
    expect(platformFromName('left-pad')).toBeUndefined();
  });

  it('adds a missing optional binary with its platform, and repairs stubs that lost theirs', () => {
    const broken: Lockfile = {
      packages: {
        '': {},
        'node_modules/tool': {
          version: '1.0.0',
          integrity: 'sha512-x',
          optionalDependencies: { '@t/linux-x64': '1.0.0' },
        },
        'node_modules/@t/darwin-arm64': { version: '1.0.0', optional: true },
      },
    };
    (broken.packages['node_modules/tool'].optionalDependencies as Record<string, string>)['@t/darwin-arm64'] = '1.0.0';
    const asked: string[] = [];
    const result = completeLockfile(broken, (name, version) => {
      asked.push(`${name}@${version}`);
      return platformFromName(name);
    });
    expect(result).toEqual({ added: 1, platformed: 2 });
    expect(asked.sort()).toEqual(['@t/darwin-arm64@1.0.0', '@t/linux-x64@1.0.0']);
    expect(broken.packages['node_modules/@t/linux-x64']).toEqual({
      version: '1.0.0',
      cpu: ['x64'],
      optional: true,
      os: ['linux'],
    });
    expect(platformlessStubs(broken)).toEqual([]);
  });

  it('refuses, by name, a binary whose platform it cannot find', () => {
    const broken: Lockfile = { packages: { '': {}, 'node_modules/mystery': { version: '2.0.0', optional: true } } };
    expect(() => completeLockfile(broken, () => undefined)).toThrow(/no os\/cpu found for mystery@2\.0\.0/);
  });
});
