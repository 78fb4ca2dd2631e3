import { describe, expect, it } from 'vitest';
import { forLog } from '../src/client';
import { machinesTouched, parseReleaseLine } from '../src/deploy';
import { flyEnv, resolveToken } from '../src/env';
import { classifyFailure, flyErrorMessage } from '../src/errors';

describe('classifyFailure', () => {
  it.each([
    ['failed to obtain lease: lease currently held by x@y, expires at 2026-01-01T00:00:00Z'],
    ['Unrecoverable error: lease currently held by 0a1b@tokens.fly.io'],
    ['failed to list VMs for app a: request returned non-2xx status: 429: rate limit exceeded'],
    ['read tcp 10.1.0.4:51234->[2a09:8280:1::1]:443: read: connection reset by peer'],
    ['Get "https://api.machines.dev/v1/apps/a/machines": net/http: timeout awaiting response headers'],
  ])('transient: %s', (message) => {
    expect(classifyFailure(message, 1)).toBe('transient');
  });

  it.each([
    ['the app name x could not be found, did you create the app or misspell it in the fly.toml file or via -a?'],
    ['Could not find App "x"'],
    ['unauthorized'],
    ["No access token available. Please login with 'flyctl auth login'"],
    ['failed to fetch an image or build from source: Could not find image "x"'],
    ['release command failed - aborting deployment. machine 1 exited with non-zero status of 1'],
    ['timeout reached waiting for health checks to pass for machine 1: failed to get VM 1: net/http: request canceled'],
    ['smoke checks for 3d8d failed: the app appears to be crashing'],
    ['something nobody has seen before'],
  ])('permanent: %s', (message) => {
    expect(classifyFailure(message, 1)).toBe('permanent');
  });

  it('never retries an interrupted flyctl (exit 127)', () => {
    expect(classifyFailure('connection reset by peer', 127)).toBe('permanent');
  });
});

describe('flyErrorMessage', () => {
  it('keeps the Error: line and what follows, not the progress before it', () => {
    const stderr =
      'Checking DNS\nError: timeout reached waiting for health checks\nYou can try increasing the timeout\n';
    expect(flyErrorMessage(stderr)).toBe(
      'timeout reached waiting for health checks\nYou can try increasing the timeout',
    );
  });
  it('falls back to the annotation flyctl prints on stdout', () => {
    expect(flyErrorMessage('', 'x\n::error title=flyctl error::boom⏎more\n')).toBe('boom\nmore');
  });
});

describe('deploy output', () => {
  it('reads the FLY_EMIT_RELEASE_JSON line', () => {
    const out = 'Visit your newly deployed app\n{"id":"RLzx","version":42,"image_ref":"registry.fly.io/a:b"}\n';
    expect(parseReleaseLine(out)).toEqual({ id: 'RLzx', version: 42, imageRef: 'registry.fly.io/a:b' });
    expect(parseReleaseLine('no json here\n{"other":1}\n')).toBeUndefined();
  });
  it('knows when machines were touched', () => {
    expect(machinesTouched("Updating existing machines in 'a' with rolling strategy\n")).toBe(false);
    expect(machinesTouched('Updating 3d8d9d1be64938 [app]\n')).toBe(true);
    expect(machinesTouched('No machines in group app, launching a new machine\n')).toBe(true);
    expect(machinesTouched(' ✔ [1/2] Machine 148ed599c14189 [app] update succeeded\n')).toBe(true);
    expect(machinesTouched('  Created release_command machine 0e28650b1d5d86\n')).toBe(true);
    // The prefixes of flyctl's status lines, and the recovery path.
    expect(machinesTouched('> [1/2] Updating 3d8d9d1be64938 [app]\n')).toBe(true);
    expect(machinesTouched('> Created release_command machine 0e28650b1d5d86\n')).toBe(true);
    expect(machinesTouched('> [10/12] Updated machine config for 3d8d9d1be64938\n')).toBe(true);
    expect(machinesTouched('> [1/2] Machine 3d8d9d1be64938 reached started state\n')).toBe(true);
    expect(machinesTouched('> [1/2] Acquiring lease for 3d8d9d1be64938\n')).toBe(false);
    expect(
      machinesTouched(
        'Error: failed to update machine 3d8d9d1be64938: error getting machine 3d8d9d1be64938 from api: EOF\n',
      ),
    ).toBe(true);
  });
});

describe('env hygiene', () => {
  it('drops empty token variables, sets the token and the switches', () => {
    const env = flyEnv({ FLY_ACCESS_TOKEN: '', FLY_API_TOKEN: ' ', FLY_JSON: '1', PATH: '/bin' }, 'tok');
    expect(env.FLY_ACCESS_TOKEN).toBeUndefined();
    expect(env.FLY_API_TOKEN).toBe('tok');
    expect(env.FLY_JSON).toBeUndefined();
    expect(env).toMatchObject({ NO_COLOR: '1', FLY_NO_UPDATE_CHECK: '1', FLY_EMIT_RELEASE_JSON: '1', PATH: '/bin' });
  });
  it('prefers the input token, then FLY_ACCESS_TOKEN, then FLY_API_TOKEN', () => {
    expect(resolveToken('in', { FLY_API_TOKEN: 'env' })).toBe('in');
    expect(resolveToken('', { FLY_ACCESS_TOKEN: '', FLY_API_TOKEN: 'env' })).toBe('env');
    expect(resolveToken(undefined, { FLY_ACCESS_TOKEN: 'a', FLY_API_TOKEN: 'b' })).toBe('a');
    expect(resolveToken(undefined, {})).toBeUndefined();
  });
});

describe('forLog', () => {
  it('drops flyctl’s own annotation and defuses other workflow commands', () => {
    expect(forLog('::error title=flyctl error::boom')).toBeUndefined();
    expect(forLog('::add-mask::x')).toBe(' ::add-mask::x');
    expect(forLog('Updating 3d8d [app]')).toBe('Updating 3d8d [app]');
  });
});
