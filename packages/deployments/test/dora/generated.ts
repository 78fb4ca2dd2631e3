/**
 * A generated history of 200 releases to production over 100 days (2026-09-01 to 2026-12-10),
 * two a day at 10:00 and 14:00 UTC, each verified 10 minutes after it starts, except:
 * - every release i with i % 10 == 9 fails its gate 5 minutes after it starts (20 releases);
 * - every release i with i % 25 == 12 is verified, then rolled back: a rollback deployment starts
 *   30 minutes after the release and is verified 5 minutes later (8 releases).
 * The first commit of release i is (2 + i % 4) hours before it starts; each release has two
 * commits (first and head) whose parent is the previous release's head.
 * Plus three staging releases, one failed, to keep environments apart.
 */
export const SINCE = new Date('2026-09-01T00:00:00Z');
export const UNTIL = new Date('2026-12-10T00:00:00Z');
const H = 3_600_000;
const M = 60_000;

export interface GeneratedRelease {
  environment: string;
  sha: string;
  firstSha: string;
  parent?: string;
  created: number;
  firstCommitAt: number;
  states: { state: 'in_progress' | 'success' | 'failure'; at: number }[];
  rollback: boolean;
}

const hex = (n: number, tag: string) => `${tag}${n.toString(16)}`.padStart(40, '0');

export function generate(): GeneratedRelease[] {
  const out: GeneratedRelease[] = [];
  let previousHead: string | undefined;
  for (let i = 0; i < 200; i++) {
    const created = SINCE.getTime() + Math.floor(i / 2) * 24 * H + (i % 2 === 0 ? 10 : 14) * H;
    const gateFails = i % 10 === 9;
    const release: GeneratedRelease = {
      environment: 'production',
      sha: hex(i, 'b'),
      firstSha: hex(i, 'a'),
      parent: previousHead,
      created,
      firstCommitAt: created - (2 + (i % 4)) * H,
      states: [
        { state: 'in_progress', at: created + M },
        gateFails ? { state: 'failure', at: created + 5 * M } : { state: 'success', at: created + 10 * M },
      ],
      rollback: false,
    };
    out.push(release);
    previousHead = release.sha;
    if (i % 25 === 12) {
      out.push({
        environment: 'production',
        sha: hex(i - 1, 'b'),
        firstSha: hex(i - 1, 'a'),
        created: created + 30 * M,
        firstCommitAt: created,
        states: [{ state: 'success', at: created + 35 * M }],
        rollback: true,
      });
    }
  }
  for (let j = 0; j < 3; j++) {
    const created = SINCE.getTime() + (10 + j * 20) * 24 * H + 9 * H;
    out.push({
      environment: 'staging',
      sha: hex(1000 + j, 'c'),
      firstSha: hex(1000 + j, 'd'),
      created,
      firstCommitAt: created - H,
      states: [j === 1 ? { state: 'failure', at: created + 2 * M } : { state: 'success', at: created + 3 * M }],
      rollback: false,
    });
  }
  return out;
}

/**
 * The figures worked out by hand from the rules above (see dora.test.ts for the arithmetic).
 */
export const PRODUCTION = {
  releases: 200,
  deployments: 180,
  deploymentsPerDay: 1.8,
  failures: 28,
  changeFailureRate: 0.14,
  leadTimeMedianMs: 4 * H + 10 * M,
  leadTimeSamples: 180,
  restoreMedianMs: 20 * H + 5 * M,
  restoreSamples: 27,
  restoreOpen: 1,
  bands: { deploymentFrequency: 'elite', leadTime: 'elite', changeFailureRate: 'elite', timeToRestore: 'high' },
};
