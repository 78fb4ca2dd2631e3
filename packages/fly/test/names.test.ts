import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultImageLabel, IMAGE_LABEL, imageTag } from '../src/names';

describe('defaultImageLabel', () => {
  it('uses the tag name on tag refs', () => {
    expect(defaultImageLabel('refs/tags/v1.2.3', 'abcdef0123')).toBe('v1.2.3');
  });
  it('uses <branch>-<sha7> on branches, sanitized', () => {
    expect(defaultImageLabel('refs/heads/feature/login', 'abcdef0123')).toBe('feature-login-abcdef0');
  });
  it('always yields a valid Docker tag', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.stringMatching(/^[0-9a-f]{7,40}$/), (ref, sha) => {
        expect(defaultImageLabel(`refs/heads/${ref}`, sha)).toMatch(IMAGE_LABEL);
      }),
    );
  });
});

describe('imageTag', () => {
  it('reads the tag of a reference with a registry port and digest', () => {
    expect(imageTag('registry.fly.io/app:deployment-01J')).toBe('deployment-01J');
    expect(imageTag('localhost:5000/app:v1@sha256:abc')).toBe('v1');
    expect(imageTag('localhost:5000/app')).toBe('');
  });
});
