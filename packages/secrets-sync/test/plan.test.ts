import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { candidateDigests, digestMatches } from '../src/digest';
import { buildPlan, changeCount, describePlan, type RemoteSecret } from '../src/plan';

const md5 = (v: string) => createHash('md5').update(v).digest('hex');
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

describe('digestMatches', () => {
  it('matches the digests Fly has printed: MD5 hex (GraphQL era) and 16-hex prefixes', () => {
    // Examples from Fly's own documentation of the GraphQL era.
    expect(digestMatches('romance', 'b9e37b7b239ee4aefc75352fe3fa6dc6')).toBe(true);
    expect(digestMatches('postgres://example.com/mydb', 'CDBE3268A82BFE993921B9CAE2A526AF')).toBe(true);
    expect(digestMatches('pässwörd', md5('pässwörd').slice(0, 16))).toBe(true);
    expect(digestMatches('pässwörd', sha256('pässwörd').slice(0, 16))).toBe(true);
    expect(candidateDigests('x')).toHaveLength(4);
  });

  it('treats any other digest, an empty one or a short prefix as "cannot tell"', () => {
    expect(digestMatches('romance', 'b9e37b7b239ee4ae0000000000000000')).toBe(false);
    expect(digestMatches('romance', '')).toBe(false);
    expect(digestMatches('romance', undefined)).toBe(false);
    expect(digestMatches('romance', 'b9e37b7b')).toBe(false);
    expect(digestMatches('romance', md5('romancE').slice(0, 16))).toBe(false);
    expect(digestMatches('romance', 'not-hex-at-all!!')).toBe(false);
  });
});

describe('buildPlan', () => {
  const declared = new Map([
    ['NEW', 'n'],
    ['SAME_MD5', 'same'],
    ['SAME_SHA', 'same too'],
    ['DIFFERENT', 'new value'],
    ['UNKNOWN_DIGEST', 'whatever'],
  ]);
  const remote: RemoteSecret[] = [
    { name: 'SAME_MD5', digest: md5('same'), status: 'Deployed' },
    { name: 'SAME_SHA', digest: sha256('same too').slice(0, 16) },
    { name: 'DIFFERENT', digest: md5('old value').slice(0, 16), status: 'Staged' },
    { name: 'UNKNOWN_DIGEST', digest: 'opaque' },
    { name: 'OLD', digest: md5('x') },
    { name: 'KEEP_ME', digest: md5('y') },
  ];

  it('merge: adds and updates, leaves undeclared secrets alone', () => {
    const plan = buildPlan(declared, remote, { mode: 'merge', protectedNames: ['KEEP_ME'] });
    expect(plan.add).toEqual(['NEW']);
    expect(plan.change).toEqual(['DIFFERENT', 'UNKNOWN_DIGEST']);
    expect(plan.unchanged).toEqual(['SAME_MD5', 'SAME_SHA']);
    expect(plan.remove).toEqual([]);
    expect(plan.kept).toEqual(['KEEP_ME', 'OLD']);
    expect(plan.items.find((i) => i.name === 'OLD')).toEqual({ name: 'OLD', action: 'keep', reason: 'not declared' });
    expect(plan.items.find((i) => i.name === 'DIFFERENT')?.remoteStatus).toBe('Staged');
    expect([...plan.after].sort()).toEqual([...declared.keys(), 'KEEP_ME', 'OLD'].sort());
    expect(changeCount(plan)).toBe(3);
  });

  it('exact: also removes undeclared secrets, except protected ones', () => {
    const plan = buildPlan(declared, remote, { mode: 'exact', protectedNames: ['KEEP_ME', 'NOT_THERE'] });
    expect(plan.remove).toEqual(['OLD']);
    expect(plan.kept).toEqual(['KEEP_ME']);
    expect(plan.items.find((i) => i.name === 'KEEP_ME')?.reason).toBe('protected');
    expect(plan.after.has('OLD')).toBe(false);
    expect(changeCount(plan)).toBe(4);
  });

  it('has nothing to do when every digest matches', () => {
    const plan = buildPlan(new Map([['A', 'a-value']]), [{ name: 'A', digest: md5('a-value') }], { mode: 'exact' });
    expect(changeCount(plan)).toBe(0);
    expect(plan.unchanged).toEqual(['A']);
  });
});

describe('describePlan', () => {
  it('lists names and actions in one line', () => {
    const plan = buildPlan(
      new Map([
        ['A', 'a'],
        ['B', 'b'],
      ]),
      [
        { name: 'B', digest: md5('b') },
        { name: 'C', digest: '' },
        { name: 'D', digest: '' },
      ],
      { mode: 'exact', protectedNames: ['D'] },
    );
    expect(describePlan(plan)).toBe('Plan: add A; remove C; 1 unchanged; leave D');
  });
});
