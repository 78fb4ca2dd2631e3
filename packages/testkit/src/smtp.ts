/**
 * A real SMTP server on loopback (smtp-server) that parses every mail it receives
 * (mailparser). Test equipment, never bundled.
 *
 *   const smtp = await startSmtpServer({ tls: 'implicit', auth: { user: 'ci', pass: 's3cret' } });
 *   smtp.url                          // smtps://ci:s3cret@127.0.0.1:<port> (user and password URL-encoded)
 *   smtp.certPem                      // the self-signed certificate (CN localhost, SAN 127.0.0.1), for `ca`
 *   smtp.certFile                     // the same on disk, for NODE_EXTRA_CA_CERTS
 *   smtp.failNext({ code: 451, message: 'Try again later' }, 2);   // answer the next 2 mails with an error
 *   const [mail] = await smtp.waitForMails(1);   // { envelope, parsed: ParsedMail, raw, user, secure }
 *   await smtp.close();
 *
 * `tls`: 'none' (plain, STARTTLS disabled), 'starttls' (plain, STARTTLS offered) or 'implicit'
 * (TLS from the first byte, like port 465). The certificate is made with `openssl` when the
 * machine has it, else read from packages/testkit/fixtures/ (a test-only pair).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: string;
  user?: string;
  /** Whether the session was encrypted (implicit TLS or after STARTTLS). */
  secure: boolean;
}

export interface SmtpServerOptions {
  tls?: 'none' | 'starttls' | 'implicit';
  /** When set, AUTH is required and must match. */
  auth?: { user: string; pass: string };
}

export interface TestSmtpServer {
  readonly port: number;
  /** A connection URL for this server: smtp:// or smtps://, with credentials when `auth` is set. */
  readonly url: string;
  readonly certPem: string;
  readonly certFile: string;
  readonly mails: ReceivedMail[];
  /** Answers the next `times` DATA commands with an SMTP error. */
  failNext(error: { code: number; message: string }, times?: number): void;
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

/**
 * Folders of generated certificates, removed when the process exits: a rehearsal runs outside the
 * tests' temp folder, so nothing else would remove them. A server's close removes its own sooner.
 */
const certDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of certDirs) rmSync(dir, { recursive: true, force: true });
});

function removeCertDir(certFile: string): void {
  const dir = dirname(certFile);
  if (certDirs.delete(dir)) rmSync(dir, { recursive: true, force: true });
}

/** A self-signed certificate for localhost/127.0.0.1: fresh from openssl, or the committed fixture. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'testkit-cert-'));
    certDirs.add(dir);
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
  } catch (error) {
    const certFile = join(FIXTURES, 'smtp-cert.pem');
    if (!existsSync(certFile)) throw error;
    return {
      key: readFileSync(join(FIXTURES, 'smtp-key.pem'), 'utf8'),
      cert: readFileSync(certFile, 'utf8'),
      certFile,
    };
  }
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const tls = options.tls ?? 'none';
  const { key, cert, certFile } = selfSignedCert();
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const failures: { code: number; message: string }[] = [];

  const server = new SMTPServer({
    secure: tls === 'implicit',
    key,
    cert,
    disabledCommands: tls === 'none' ? ['STARTTLS'] : [],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        const error = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
        callback(error);
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = failures.shift();
        if (failure) {
          callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              parsed,
              raw,
              user: typeof session.user === 'string' ? session.user : undefined,
              secure: Boolean((session as { secure?: boolean }).secure),
            });
            for (const wake of waiters.splice(0)) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // biome-ignore lint/suspicious/noExplicitAny: smtp-server exposes its net.Server as `server`
  const port = ((server as any).server.address() as { port: number }).port;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`
    : '';
  const url = `${tls === 'implicit' ? 'smtps' : 'smtp'}://${credentials}127.0.0.1:${port}`;

  return {
    port,
    url,
    certPem: cert,
    certFile,
    mails,
    failNext(error, times = 1) {
      for (let i = 0; i < times; i++) failures.push(error);
    },
    async waitForMails(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} mail(s), received ${mails.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return mails.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          removeCertDir(certFile);
          resolve();
        }),
      ),
  };
}
