/**
 * Fails when dist/ or action-catalog.md differ from what the sources generate:
 * rebuilds both, then asks git whether anything changed (new files included).
 */
import { execFileSync } from 'node:child_process';
import { ROOT } from './actions';

execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('npm', ['run', '--silent', 'catalog'], { cwd: ROOT, stdio: 'inherit' });
const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist', 'action-catalog.md'], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (changed.trim() !== '') {
  console.error(`dist/ or action-catalog.md is stale; commit the regenerated files:\n${changed}`);
  process.exit(1);
}
console.log('dist/ and action-catalog.md are fresh');
