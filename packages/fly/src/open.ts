import { Fly, type FlyOptions } from './client';
import { requireToken } from './env';
import { ensureFlyctl, type InstalledFlyctl } from './install';

export interface OpenFlyOptions extends Omit<FlyOptions, 'token' | 'bin'> {
  /** The `fly-api-token` input; FLY_API_TOKEN / FLY_ACCESS_TOKEN from `env` when empty. */
  token?: string;
  /** The `flyctl-version` input (default: the pinned release). */
  version?: string;
}

/**
 * The one way an action or package gets a flyctl client: the token first (a missing one
 * fails naming the input, before any download), then flyctl itself, then the client.
 */
export async function openFly(options: OpenFlyOptions = {}): Promise<{ fly: Fly; flyctl: InstalledFlyctl }> {
  const { token: input, version, ...rest } = options;
  const env = options.env ?? process.env;
  const token = requireToken(input, env);
  const flyctl = await ensureFlyctl(version, env);
  return { fly: new Fly({ ...rest, token, bin: flyctl.bin }), flyctl };
}
