import { describe, expect, it } from 'vitest';
import { leaseWaitMs } from '../src/deploy-app';

describe('leaseWaitMs', () => {
  it('waits until the lease lapses, a little longer, and never more than 30 s', () => {
    const now = Date.parse('2026-08-20T14:00:00Z');
    expect(leaseWaitMs('lease currently held by x, expires at 2026-08-20T14:00:05Z', now)).toBe(5_250);
    expect(leaseWaitMs('expires at 2026-08-20T15:00:00Z', now)).toBe(30_000);
    expect(leaseWaitMs('expires at 2026-08-20T13:00:00Z', now)).toBeUndefined();
    expect(leaseWaitMs('connection reset by peer', now)).toBeUndefined();
  });
});
