/**
 * What a run needs only when there is something to do: analysis, lint, locks, backup and the
 * appliers. `migrate` loads this module after the up-to-date check, so a run with nothing to do
 * never compiles it.
 */
export { analyse, scriptOf } from './analyse';
export { flushCommits, runStatements, runTransactions } from './apply';
export { runBackup } from './backup';
export { lint } from './lint';
export { acquire, lockKey, release, releaseThroughPooler } from './lock';
