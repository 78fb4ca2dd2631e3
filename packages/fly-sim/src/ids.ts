import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ADJECTIVES = ['red', 'blue', 'quiet', 'bold', 'misty', 'green', 'young', 'wild', 'calm', 'dark'];
const NOUNS = ['sun', 'river', 'forest', 'wave', 'cloud', 'meadow', 'star', 'field', 'snow', 'leaf'];

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Machine ids: 14 lower-case hex characters. */
export const machineId = () => randomBytes(7).toString('hex');
/** Release ids like `RLzx8P0Q2YkVn`. */
export const releaseId = () => `RL${pick(ALNUM, 11)}`;
/** ULIDs as flyctl's default `deployment-<ULID>` image labels use. */
export const ulid = () => pick(CROCKFORD, 26);
export const machineName = () => {
  const [a, n, d] = randomBytes(3);
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${NOUNS[n % NOUNS.length]}-${1000 + (d % 9000)}`;
};
export const privateIp = () => `fdaa:0:1:a7b:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}:0:2`;
export const instanceId = () => `01J${pick(CROCKFORD, 23)}`;
