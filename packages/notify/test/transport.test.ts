import { containsSecret, parseRetryAfter } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { parseSmtpUrl, signBody, smtpHint } from '../src/index';

describe('SMTP URL', () => {
  it('chooses TLS from the port', () => {
    expect(parseSmtpUrl('smtp://u:p@mail.example.com:465')).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(parseSmtpUrl('smtp://u:p@mail.example.com:587')).toMatchObject({
      port: 587,
      secure: false,
      requireTLS: true,
    });
    expect(parseSmtpUrl('smtp://mail.example.com')).toMatchObject({ port: 587, secure: false, requireTLS: true });
    expect(parseSmtpUrl('smtps://mail.example.com')).toMatchObject({ port: 465, secure: true });
    expect(parseSmtpUrl('smtp://mail.example.com:2525')).toMatchObject({
      port: 2525,
      secure: false,
      requireTLS: false,
    });
  });

  it('decodes the credentials and registers the password as a secret', () => {
    const target = parseSmtpUrl('smtp://deploys%40example.com:p%40ss%2Fw0rd!@[::1]:25');
    expect(target).toMatchObject({ user: 'deploys@example.com', pass: 'p@ss/w0rd!', host: '::1', port: 25 });
    expect(containsSecret('the password is p@ss/w0rd!')).toBe(true);
  });

  it('refuses other schemes, naming the input', () => {
    expect(() => parseSmtpUrl('http://mail.example.com')).toThrow(/Invalid input 'smtp-url': the scheme must be smtp/);
  });

  it('explains the classic TLS mismatch both ways', () => {
    const error = { code: 'ESOCKET', message: 'ssl3_get_record:wrong version number' };
    expect(smtpHint(error, parseSmtpUrl('smtps://h:587'))).toContain('use smtp:// with port 587 (STARTTLS)');
    expect(smtpHint(error, parseSmtpUrl('smtp://h:2525'))).toContain('use smtps:// (port 465)');
  });
});

describe('HTTP helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('signs the delivery id, the timestamp and the exact body bytes', () => {
    // HMAC-SHA256 (key "Jefe") of "what do.ya want for.nothing?", computed apart with node:crypto.
    expect(signBody('nothing?', 'Jefe', 'what do', 'ya want for')).toBe(
      'sha256=fc1aedb89c424d15e15257f64f9fd348bdc36d0aea03c9bb8bb102939825e474',
    );
  });
});
