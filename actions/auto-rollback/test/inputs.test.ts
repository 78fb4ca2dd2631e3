/** auto-rollback refuses unbounded or malformed inputs with one clear error, in a dry run as in a real one. */
import { runBundle } from '@deploy-actions/runner';
import { describe, expect, it } from 'vitest';

const env = { FLY_API_TOKEN: 'fly-token-never-used-0001' };

describe('auto-rollback input bounds', () => {
  it.each([
    ['wait-timeout', '99999999999999999999999', /Invalid input 'wait-timeout'.*from 1s to 6h/],
    ['wait-timeout', '7h', /Invalid input 'wait-timeout'.*from 1s to 6h/],
    ['timeout', '9999999999h', /Invalid input 'timeout'.*from 1s to 6h/],
  ])('%s=%s is refused, naming the bounds', async (name, value, message) => {
    const r = await runBundle('auto-rollback', { inputs: { app: 'shop', [name]: value }, env });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it.each(['true', 'false'])(
    'target javascript:alert(1) is refused with dry-run=%s, before any flyctl',
    async (dry) => {
      const r = await runBundle('auto-rollback', {
        inputs: { app: 'shop', target: 'javascript:alert(1)', 'dry-run': dry },
        env,
      });
      expect(r.exitCode).toBe(1);
      const errors = r.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(
        /Invalid input 'target': got "javascript:alert\(1\)".*expected auto, a release version/,
      );
      expect(r.log).not.toContain('would roll back');
    },
  );
});
