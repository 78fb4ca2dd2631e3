/** Starts the local GitHub API and hands tests their controls over it. */
import type { Server } from 'node:http';
import type { GitHubApi, GitHubApiOptions } from './api';
import { seedCheckRun, seedCommitStatus, updateCheckRun } from './checks';
import { createComment } from './comments';
import { seedCommit } from './commits';
import { addStatus, createDeployment, latestStatus } from './deployments';
import { Faults } from './faults';
import { RateLimits } from './limits';
import { createRun } from './runs';
import { listen, routeTable, type ServerContext } from './server';
import { Store } from './state';

export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const store = new Store(options);
  const context: ServerContext = {
    store,
    limits: new RateLimits(options),
    faults: new Faults(),
    routes: routeTable(store),
    token: options.token ?? 'ghs_testtoken0000000000000000000000000000',
    requests: [],
  };
  const server = await listen(context);
  return controls(context, server);
}

function controls({ store, limits, faults, token, requests }: ServerContext, server: Server): GitHubApi {
  return {
    url: store.origin,
    repository: store.repository,
    token,
    state: store.state,
    requests,
    seedDeployment(seed) {
      const d = createDeployment(store, seed);
      for (const st of seed.states ?? []) addStatus(store, d.id, st, { auto_inactive: false });
      return d;
    },
    addStatus: (id, st, extra) => addStatus(store, id, st, extra),
    seedComment: (issue, body, author) => createComment(store, issue, body, author),
    seedRun: (run) => createRun(store, run),
    seedPull(number, state, options = {}) {
      store.pulls.set(number, {
        state,
        merged: options.merged ?? false,
        title: options.title ?? `Pull request ${number}`,
      });
    },
    setPermission(scope, level) {
      store.permissions.set(scope, level);
    },
    rate: limits.rate,
    setRate: (remaining, resetInMs) => limits.set(remaining, resetInMs),
    seedCheckRun: (seed) => seedCheckRun(store, seed),
    updateCheckRun: (id, patch) => updateCheckRun(store, id, patch),
    seedCommitStatus: (seed) => seedCommitStatus(store, seed),
    seedCommit: (commit) => seedCommit(store, commit),
    latestStatus: (id) => latestStatus(store, id),
    failNext: (fault, match) => faults.add(fault, match),
    reset() {
      store.clear();
      requests.length = 0;
      faults.clear();
      limits.reset();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
