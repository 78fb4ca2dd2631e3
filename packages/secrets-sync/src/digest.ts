import { createHash } from 'node:crypto';

/**
 * Digests Fly may report for a value. The algorithm is undocumented: the GraphQL era
 * used MD5 hex; the Machines API shows 16 hex characters. A remote digest equal to one
 * of these proves the value is the same (a false match needs a 64-bit collision); any
 * other digest means "cannot tell", which the plan treats as changed.
 */
export function candidateDigests(value: string): string[] {
  const md5 = createHash('md5').update(value, 'utf8').digest('hex');
  const sha256 = createHash('sha256').update(value, 'utf8').digest('hex');
  return [md5, md5.slice(0, 16), sha256, sha256.slice(0, 16)];
}

/** True only when `digest` provably matches `value`. */
export function digestMatches(value: string, digest: string | undefined): boolean {
  const d = (digest ?? '').trim().toLowerCase();
  if (!/^[0-9a-f]{16,64}$/.test(d)) return false;
  return candidateDigests(value).includes(d);
}
