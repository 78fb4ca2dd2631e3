import { registerSecret } from '@deploy-actions/toolkit';

/**
 * Credentials a check carries: in headers, and inside its URLs. Each is registered as a secret the
 * moment it is read, so every log line, summary, error and report shows it as `***`.
 */

/** Header names, and query parameter names, that carry credentials. */
export const CREDENTIAL_NAME = /authorization|cookie|token|secret|key|passw|auth|session|signature|credential/i;
const CREDENTIAL_VALUE = /^(bearer|basic|token|digest)\s+(\S+)/i;
/** Query parameter names that carry credentials without saying so (Azure SAS `sig`, `pwd`, `jwt`). */
const CREDENTIAL_QUERY_NAME = /^(sig|pwd|jwt)$/i;

/** Registers a header value as secret when its name or shape says it is a credential. */
export function maskCredentialHeader(name: string, value: string): void {
  const scheme = CREDENTIAL_VALUE.exec(value);
  if (CREDENTIAL_NAME.test(name) || scheme) registerSecret(value);
  if (scheme) registerSecret(scheme[2]);
}

function decoded(raw: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    return raw;
  }
}

/** A credential as the URL text holds it, decoded, and as WHATWG URL serialising writes it. */
function registerUrlPart(raw: string, serialised: string | undefined, plusIsSpace = false): void {
  registerSecret(raw);
  registerSecret(decoded(raw, plusIsSpace));
  if (serialised) registerSecret(serialised);
}

/**
 * Registers the credentials inside URLs: the password of `user:password@` (the user name alone
 * when there is no password: `https://<token>@host`), and the values of query parameters whose
 * names look like credentials (`?token=`, `api_key=`, `X-Amz-Signature=`, `sig=` ...). Read from the text
 * itself, so a URL that does not parse is covered too.
 */
export function maskUrlCredentials(...urls: string[]): void {
  for (const text of urls) {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(text)?.[1];
    if (userinfo) {
      const colon = userinfo.indexOf(':');
      const password = colon === -1 ? '' : userinfo.slice(colon + 1);
      if (password) registerUrlPart(password, url?.password);
      else registerUrlPart(colon === -1 ? userinfo : userinfo.slice(0, colon), url?.username);
    }
    const query = text.split('#')[0].split('?').slice(1).join('?');
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const name = decoded(pair.slice(0, eq), true);
      if (eq <= 0 || !(CREDENTIAL_NAME.test(name) || CREDENTIAL_QUERY_NAME.test(name))) continue;
      const value = pair.slice(eq + 1);
      if (value) registerUrlPart(value, undefined, true);
    }
  }
}
