import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/runner';
import { parseInputs } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputs, outputs } from '../src/contract';

const action = parse(readFileSync(join(REPO_ROOT, 'fly-deploy', 'action.yml'), 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string; description?: string }>;
  outputs: Record<string, { description?: string }>;
};

describe('fly-deploy contract', () => {
  it('declares the same inputs, required flags and defaults as action.yml', () => {
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(action.inputs).sort());
    for (const [name, spec] of Object.entries(inputs)) {
      expect({ name, required: spec.required, default: spec.default }).toEqual({
        name,
        required: action.inputs[name].required ?? false,
        default: action.inputs[name].default,
      });
      expect(action.inputs[name].description?.length).toBeGreaterThan(10);
    }
  });

  it('declares the same outputs as action.yml', () => {
    expect([...outputs].sort()).toEqual(Object.keys(action.outputs).sort());
  });
});

describe('fly-deploy name=value inputs', () => {
  const env = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));

  it('explains that a build secret cannot span lines', () => {
    const pem = 'TLS_KEY=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(() => parseInputs({ 'build-secrets': inputs['build-secrets'] }, env({ 'build-secrets': pem }))).toThrow(
      /line 2 is not NAME=VALUE .*a value cannot span lines: encode a multi-line value, e\.g\. with base64/,
    );
  });

  it('keeps the spaces of a quoted value, trims an unquoted one', () => {
    const parsed = parseInputs({ env: inputs.env }, env({ env: 'PADDED="  x  "\nPLAIN =  y  ' }));
    expect(parsed.env).toEqual({ PADDED: '  x  ', PLAIN: 'y' });
  });
});
