/** fly-sim on the stage: its flyctl first on PATH, its platform process, and what the checks read back. */
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';

export interface FlyRelease {
  version: number;
  status: string;
  imageRef: string;
  /** The image label (tag) the release runs. */
  label: string;
}

export interface FlyStage {
  /** The folder holding fly-sim's `flyctl`. */
  binDir: string;
  /** Variables flyctl needs to reach the simulated platform (no token). */
  env: Record<string, string>;
  sim: FlySim;
  /** Releases of `app`, newest first (empty when the app does not exist). */
  releases(app: string): FlyRelease[];
  secretNames(app: string): string[];
  appExists(app: string): boolean;
  /** The version the app's `/health` reports, or what went wrong. */
  healthVersion(app: string): Promise<string>;
  close(): Promise<void>;
}

function tagOf(imageRef: string): string {
  const name = imageRef.split('@')[0];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
}

export async function startFly(token: string, orgs: string[]): Promise<FlyStage> {
  // The platform compares tokens without their scheme (`FlyV1 `), as flyctl sends them.
  const sim = await startFlySim({ tokens: [token.replace(/^FlyV1 /, '')], orgs });
  return {
    binDir: sim.binDir,
    env: sim.env,
    sim,
    releases(app) {
      const found = sim.state().apps[app];
      return (found?.releases ?? [])
        .map((r) => ({ version: r.version, status: r.status, imageRef: r.imageRef, label: tagOf(r.imageRef) }))
        .sort((a, b) => b.version - a.version);
    },
    secretNames(app) {
      return Object.keys(sim.state().apps[app]?.secrets ?? {});
    },
    appExists(app) {
      return app in sim.state().apps;
    },
    async healthVersion(app) {
      const url = sim.appUrl(app);
      if (!url) return `(${app} is not deployed)`;
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { version?: string };
        return res.ok ? (body.version ?? '(no version)') : `HTTP ${res.status}`;
      } catch (err) {
        return `(unreachable: ${(err as Error).message})`;
      }
    },
    close: () => sim.stop(),
  };
}
