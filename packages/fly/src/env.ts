import { UserError } from '@deploy-actions/toolkit';

/** Token variables flyctl reads, in its own order of precedence. */
const TOKEN_VARS = ['FLY_ACCESS_TOKEN', 'FLY_API_TOKEN'] as const;

/**
 * The environment flyctl runs with: the caller's, minus empty token variables
 * (an empty `FLY_ACCESS_TOKEN` would hide `FLY_API_TOKEN`), plus the token and the
 * switches that make its output predictable for a program.
 */
export function flyEnv(base: NodeJS.ProcessEnv, token: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of TOKEN_VARS) {
    if (env[name] !== undefined && env[name]?.trim() === '') delete env[name];
  }
  if (token) {
    // The token we were given wins over any ambient one.
    delete env.FLY_ACCESS_TOKEN;
    env.FLY_API_TOKEN = token;
  }
  env.NO_COLOR = '1';
  env.FLY_NO_UPDATE_CHECK = '1';
  env.FLY_EMIT_RELEASE_JSON = '1';
  env.FLY_GHA_ERROR_ANNOTATION = '1';
  // Our own code parses JSON per command; an ambient FLY_JSON would change table output too.
  delete env.FLY_JSON;
  return env;
}

/** The token to use: the input when given, else FLY_API_TOKEN / FLY_ACCESS_TOKEN from the environment. */
export function resolveToken(inputToken: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromInput = inputToken?.trim();
  if (fromInput) return fromInput;
  for (const name of TOKEN_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The token, or a UserError naming the input and the variable to set. */
export function requireToken(inputToken: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const token = resolveToken(inputToken, env);
  if (!token) throw noTokenError();
  return token;
}

/** The error for a missing token: which input and variable to set, and how to make a token. */
export function noTokenError(): UserError {
  return new UserError('No Fly API token: set the `fly-api-token` input or the FLY_API_TOKEN environment variable', {
    hint: 'Create one with `flyctl tokens create deploy` (or `flyctl tokens create org` to create and destroy apps).',
  });
}
