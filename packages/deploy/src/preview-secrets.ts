import { log, registerSecret, UserError } from '@deploy-actions/toolkit';

/** Names a preview never takes from the caller: the platform and the preview's database set them. */
const RESERVED = new Set(['DATABASE_URL', 'FLY_API_TOKEN']);

/**
 * The secrets a preview may receive: only the names on the allow-list, values taken from the
 * caller's secrets (`entries`, parsed from APP_SECRETS). Anything not listed never reaches the
 * preview; a listed name the caller did not give is reported, not invented.
 */
export function allowedPreviewSecrets(
  allow: readonly string[],
  entries: readonly { name: string; value: string }[],
): Record<string, string> {
  const reserved = allow.filter((name) => RESERVED.has(name));
  if (reserved.length) {
    throw new UserError(
      `Input 'preview-secrets' lists ${reserved.join(', ')}: a preview gets DATABASE_URL from its own database and never the deploy token`,
      { hint: 'Remove those names from the allow-list.' },
    );
  }
  const given = new Map(entries.map((e) => [e.name, e.value]));
  const picked: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of allow) {
    const value = given.get(name);
    if (value === undefined) missing.push(name);
    else {
      registerSecret(value, `preview secret ${name}`);
      picked[name] = value;
    }
  }
  if (missing.length) log.warning(`Not in APP_SECRETS, so not staged on the preview: ${missing.join(', ')}`);
  return picked;
}
