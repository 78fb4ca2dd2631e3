/**
 * The Fly apps of a caller's repository: every `fly.toml` / `fly.<name>.toml` that names an app, and
 * what its image would run. The rehearsal cannot build images, so an app whose Dockerfile's CMD runs
 * Node (`CMD ["node", "server.mjs"]`) has that program run from the build context with this
 * machine's Node; any other app is answered by fly-sim's built-in server (`/health` with the label).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readFlyToml, type ServeConfig } from '@deploy-actions/fly-sim';
import { RehearsalError } from './errors';

export interface RepoApp {
  name: string;
  /** fly.toml's path inside the repository. */
  config: string;
  /** The app's own program, when its Dockerfile's CMD runs Node. */
  serve?: ServeConfig;
  /** Why the app is answered by fly-sim's built-in server instead. */
  note?: string;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'target', 'dist']);

function flyTomls(root: string, dir = root, depth = 0): string[] {
  if (depth > 4) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!SKIPPED_DIRS.has(entry)) found.push(...flyTomls(root, path, depth + 1));
    } else if (/^fly(\.[\w-]+)?\.toml$/.test(entry)) found.push(path);
  }
  return found.sort();
}

/** `CMD ["node", "x.mjs"]` (the exec form; the shell form would need a shell in the image). */
function nodeCommand(dockerfile: string): string[] | undefined {
  const lines = readFileSync(dockerfile, 'utf8').split('\n');
  const cmd = lines.filter((l) => /^\s*CMD\s+\[/i.test(l)).at(-1);
  if (!cmd) return undefined;
  try {
    const argv = JSON.parse(cmd.replace(/^\s*CMD\s+/i, '')) as unknown;
    if (!Array.isArray(argv) || argv[0] !== 'node' || argv.some((a) => typeof a !== 'string')) return undefined;
    return [process.execPath, ...(argv.slice(1) as string[])];
  } catch {
    return undefined;
  }
}

export function repoApps(root: string): RepoApp[] {
  const apps: RepoApp[] = [];
  for (const file of flyTomls(root)) {
    let toml: ReturnType<typeof readFlyToml>;
    try {
      toml = readFlyToml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new RehearsalError(`${relative(root, file)}: not valid TOML: ${(err as Error).message}`);
    }
    if (!toml.app) continue;
    const config = relative(root, file);
    // flyctl resolves [build] dockerfile against fly.toml's folder; the build context is that folder.
    const dockerfile = join(dirname(file), toml.dockerfile ?? 'Dockerfile');
    const command = existsSync(dockerfile) ? nodeCommand(dockerfile) : undefined;
    if (apps.some((a) => a.name === toml.app)) continue;
    apps.push({
      name: toml.app,
      config,
      ...(command
        ? {
            serve: {
              command,
              cwd: dirname(dockerfile),
              env: toml.env,
              ...(toml.internalPort ? { internalPort: toml.internalPort } : {}),
            },
          }
        : { note: `${config}: no Dockerfile with CMD ["node", ...]; fly-sim's own server answers for ${toml.app}` }),
    });
  }
  return apps;
}
