import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startSmtpServer } from '../src/smtp';

describe('startSmtpServer', () => {
  it('removes its generated certificate when closed, so a rehearsal leaves no folder behind', async () => {
    const smtp = await startSmtpServer({ tls: 'implicit' });
    const committed = smtp.certFile.includes('/fixtures/'); // no openssl: the committed pair stays
    expect(existsSync(smtp.certFile)).toBe(true);
    await smtp.close();
    expect(existsSync(smtp.certFile)).toBe(committed);
  });
});
