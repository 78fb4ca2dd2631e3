import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { errorMessage, runProcess } from '@deploy-actions/toolkit';
import type { Script } from './files';
import type { MigrateLogger } from './types';

export interface LintFinding {
  file: string;
  /** 1-based line in the migration file. */
  line: number;
  rule: string;
  level: 'warning' | 'error';
  message: string;
}

/** The squawk release whose binary is downloaded when none is installed. */
const SQUAWK_VERSION = '2.66.0';
/** Where release binaries live; `SQUAWK_DOWNLOAD_BASE_URL` overrides it (tests serve a local copy). */
export const SQUAWK_DOWNLOAD_BASE_URL = 'https://github.com/sbdchd/squawk/releases/download';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** squawk from SQUAWK_PATH, PATH, the squawk-cli npm package, or a downloaded release (cached by the runner). */
async function findSquawk(): Promise<string> {
  const explicit = process.env.SQUAWK_PATH;
  if (explicit && existsSync(explicit)) return explicit;
  const found = onPath('squawk');
  if (found) return found;
  try {
    const require = createRequire(import.meta.url);
    return require.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
  } catch {
    // Not installed next to us (the bundled action): fetch the release binary.
  }
  const tc = await import('@actions/tool-cache');
  const cached = tc.find('squawk', SQUAWK_VERSION);
  if (cached) return join(cached, 'squawk');
  const asset = `squawk-${process.platform}-${process.arch}`;
  const base = process.env.SQUAWK_DOWNLOAD_BASE_URL || SQUAWK_DOWNLOAD_BASE_URL;
  const downloaded = await tc.downloadTool(`${base}/v${SQUAWK_VERSION}/${asset}`);
  const dir = await tc.cacheFile(downloaded, 'squawk', 'squawk', SQUAWK_VERSION);
  const path = join(dir, 'squawk');
  const { chmodSync } = await import('node:fs');
  chmodSync(path, 0o755);
  return path;
}

interface SquawkJson {
  file: string;
  line: number;
  level: string;
  message: string;
  help?: string | null;
  rule_name: string;
}

export interface LintOptions {
  serverVersionNum: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  root: string;
  logger: MigrateLogger;
}

/**
 * Lints the scripts a run will execute with squawk (`--pg-version` from the server). Each
 * script is written to a scratch file padded with blank lines, so squawk's line numbers are
 * the migration file's even for a `-- migrate:up` section. Timeout rules are dropped when
 * pg-migrate sets that timeout itself.
 */
export async function lint(scripts: Script[], options: LintOptions): Promise<LintFinding[]> {
  if (scripts.length === 0) return [];
  let squawk: string;
  try {
    squawk = await findSquawk();
  } catch (error) {
    options.logger.warning(`Lint skipped: squawk is not available (${errorMessage(error)})`);
    return [];
  }
  const scratch = mkdtempSync(join(process.getBuiltinModule('node:os').tmpdir(), 'pg-migrate-lint-'));
  try {
    const exclude: string[] = [];
    if (options.lockTimeoutMs > 0) exclude.push('require-lock-timeout');
    if (options.statementTimeoutMs > 0) exclude.push('require-statement-timeout');
    const major = Math.floor(options.serverVersionNum / 10_000);
    const minor = options.serverVersionNum % 100;
    const findings: LintFinding[] = [];
    for (const inTransaction of [true, false]) {
      const group = scripts.filter((s) => s.noTransaction !== inTransaction);
      if (group.length === 0) continue;
      const byScratch = new Map<string, Script>();
      group.forEach((s, i) => {
        const file = join(scratch, `${inTransaction ? 't' : 'n'}${i}.sql`);
        writeFileSync(file, `${'\n'.repeat(s.firstLine - 1)}${s.sql}`);
        byScratch.set(file, s);
      });
      const args = ['--reporter', 'json', `--pg-version=${major}.${minor}`, ...byScratch.keys()];
      if (inTransaction) args.unshift('--assume-in-transaction');
      if (exclude.length > 0) args.unshift(`--exclude=${exclude.join(',')}`);
      const result = await runProcess(squawk, args, { timeoutMs: 120_000 });
      let parsed: SquawkJson[];
      try {
        parsed = JSON.parse(result.stdout.trim() || '[]') as SquawkJson[];
      } catch {
        options.logger.warning(
          `Lint skipped: squawk exited ${result.code} without a report: ${result.stderr.slice(0, 300)}`,
        );
        return findings;
      }
      for (const f of parsed) {
        const script = byScratch.get(f.file) ?? [...byScratch.entries()].find(([k]) => k.endsWith(f.file))?.[1];
        if (!script) continue;
        findings.push({
          file: script.path,
          line: f.line + 1,
          rule: f.rule_name,
          level: f.level.toLowerCase() === 'error' ? 'error' : 'warning',
          message: f.help ? `${f.message} ${f.help}` : f.message,
        });
      }
    }
    return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
