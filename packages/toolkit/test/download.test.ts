import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checksumFor, downloadSource, restoreToolCache, TEST_SOURCES_FLAG, verifySha256 } from '../src/download';
import { UserError } from '../src/errors';

describe('downloads', () => {
  it('reads a goreleaser checksums.txt', () => {
    const list = `${'a'.repeat(64)}  flyctl_0.4.87_Linux_arm64.tar.gz\n${'B'.repeat(64)}  flyctl_0.4.87_Linux_x86_64.tar.gz\n`;
    expect(checksumFor(list, 'flyctl_0.4.87_Linux_x86_64.tar.gz')).toBe('b'.repeat(64));
    expect(checksumFor(list, 'flyctl_0.4.87_macOS_arm64.tar.gz')).toBeUndefined();
  });

  it('refuses a file whose SHA-256 is not the expected one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'download-')), 'tool');
    writeFileSync(file, 'hello\n');
    await expect(
      verifySha256(file, '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03', 'tool'),
    ).resolves.toBeUndefined();
    await expect(verifySha256(file, '0'.repeat(64), 'tool')).rejects.toBeInstanceOf(UserError);
  });

  it('takes another source only from the bundle argument, never from the environment', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'download-')), 'sources.json');
    writeFileSync(file, JSON.stringify({ 'flyctl-download': 'http://127.0.0.1:1' }));
    vi.stubEnv('FLYCTL_DOWNLOAD_BASE_URL', 'http://127.0.0.1:2');
    expect(downloadSource('flyctl-download', 'https://official', ['node', 'index.js'])).toBe('https://official');
    expect(
      downloadSource('flyctl-download', 'https://official', ['node', 'index.js', `${TEST_SOURCES_FLAG}${file}`]),
    ).toBe('http://127.0.0.1:1');
    vi.unstubAllEnvs();
  });

  it('skips the Actions cache when the runner offers no cache service', async () => {
    vi.stubEnv('ACTIONS_CACHE_URL', '');
    vi.stubEnv('ACTIONS_RESULTS_URL', '');
    expect(await restoreToolCache(join(tmpdir(), 'nothing-here'), 'deploy-actions-flyctl-0.4.87-linux-x64')).toBe(
      false,
    );
    vi.unstubAllEnvs();
  });
});
