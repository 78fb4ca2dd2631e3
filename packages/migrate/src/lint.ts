import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import {
  downloadSource,
  errorMessage,
  restoreToolCache,
  runProcess,
  saveToolCache,
  verifySha256,
} from '@deploy-actions/toolkit';
import type { Script } from './files';
import type { LintFinding, MigrateLogger } from './types';

export type { LintFinding };

/** The squawk release whose binary is downloaded when none is installed. */
const SQUAWK_VERSION = '2.66.0';
/** Where release binaries live; only toolkit's `downloadSource` test hook points elsewhere. */
export const SQUAWK_DOWNLOAD_BASE_URL = 'https://github.com/sbdchd/squawk/releases/download';

/**
 * The SHA-256 of each release binary we may download. squawk's releases publish no checksums
 * (sbdchd/squawk .github/workflows/rust.yml, Release step: the bare binaries); the same build
 * artifacts are copied into the @squawk-cli/<platform> npm packages (rust.yml:233-237), whose
 * registry integrity npm verifies: each digest is that package's `bin/squawk` at SQUAWK_VERSION.
 * A platform without one here is not downloaded (lint is skipped, saying how to provide squawk).
 */
const SQUAWK_SHA256: Record<string, string> = {
  'linux-x64': 'e7965f8146b53cfa7a4625ceecfea5c6aeb35add39132210aa60b11ae180b9f4',
};

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
  const platform = `${process.platform}-${process.arch}`;
  const expected = SQUAWK_SHA256[platform];
  if (!expected) throw new Error(`no verified squawk ${SQUAWK_VERSION} download for ${platform}; put squawk on PATH`);
  const key = `deploy-actions-squawk-${SQUAWK_VERSION}-${platform}`;
  const toolDir = join(process.env.RUNNER_TOOL_CACHE ?? '', 'squawk', SQUAWK_VERSION, process.arch);
  if (process.env.RUNNER_TOOL_CACHE && (await restoreToolCache(toolDir, key)) && existsSync(join(toolDir, 'squawk')))
    return join(toolDir, 'squawk');
  const base = downloadSource('squawk-download', SQUAWK_DOWNLOAD_BASE_URL);
  const downloaded = await tc.downloadTool(`${base}/v${SQUAWK_VERSION}/squawk-${platform}`);
  await verifySha256(downloaded, expected, `squawk ${SQUAWK_VERSION} binary`);
  const dir = await tc.cacheFile(downloaded, 'squawk', 'squawk', SQUAWK_VERSION);
  const path = join(dir, 'squawk');
  const { chmodSync } = await import('node:fs');
  chmodSync(path, 0o755);
  if (dir === toolDir) await saveToolCache(dir, key);
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
