/** The API's memory: what tests seed and what the code under test wrote, plus ids, clock and actors. */
import { createHash } from 'node:crypto';
import type { GitHubApiOptions } from './api';
import type { PermissionLevel, PermissionScope } from './permissions';
import type {
  Actor,
  CheckRun,
  Commit,
  CommitStatus,
  Deployment,
  DeploymentStatus,
  IssueComment,
  WorkflowRun,
} from './schemas';

export const SHA = /^[0-9a-f]{40}$/;

export function fakeSha(ref: string): string {
  return createHash('sha1').update(ref).digest('hex');
}

/** A simple-user: bots' logins end in `[bot]` and their type is `Bot`. */
function actor(login: string, id: number): Actor {
  return {
    login,
    id,
    node_id: `U_${id}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}`,
    html_url: `https://github.com/${login.replace(/\[bot\]$/, '')}`,
    url: `https://api.github.com/users/${encodeURIComponent(login)}`,
  };
}

export interface PullRequest {
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
}

export class Store {
  readonly repository: string;
  readonly serverUrl: string;
  /** The token's login, recorded as creator and comment author. */
  readonly login: string;
  /** Where the server listens; known once it does. */
  origin = '';
  readonly state = {
    deployments: [] as Deployment[],
    statuses: [] as DeploymentStatus[],
    comments: [] as IssueComment[],
  };
  readonly commits = new Map<string, Commit>();
  readonly pulls = new Map<number, PullRequest>();
  readonly runs = new Map<number, WorkflowRun>();
  readonly checkRuns: CheckRun[] = [];
  readonly commitStatuses: (CommitStatus & { sha: string })[] = [];
  readonly permissions = new Map<PermissionScope, PermissionLevel>();
  #nextId = 1000;
  #clock = Date.parse('2026-01-01T00:00:00Z');
  readonly #actorIds = new Map<string, number>();

  constructor(options: GitHubApiOptions) {
    this.repository = options.repository ?? 'acme/shop';
    this.serverUrl = options.serverUrl ?? 'https://github.com';
    this.login = options.login ?? 'github-actions[bot]';
  }

  /** One id sequence shared by every resource (deployments, statuses, comments, checks). */
  nextId(): number {
    return this.#nextId++;
  }

  /** Strictly increasing timestamps keep "newest" unambiguous even within one millisecond. */
  now(): string {
    this.#clock = Math.max(this.#clock + 1000, Date.now());
    return new Date(this.#clock).toISOString();
  }

  repoUrl(): string {
    return `${this.origin}/repos/${this.repository}`;
  }

  /** The same login is the same user (one id) for the server's lifetime. */
  who(name: string): Actor {
    if (!this.#actorIds.has(name)) this.#actorIds.set(name, 41898282 + this.#actorIds.size);
    return actor(name, this.#actorIds.get(name)!);
  }

  /** A seeded commit's sha by sha or branch, or a full sha as given. */
  shaOf(ref: string): string | undefined {
    return this.commits.get(ref)?.sha ?? (SHA.test(ref) ? ref : undefined);
  }

  /** Forgets everything seeded and written, and restores the default permissions. */
  clear(): void {
    this.state.deployments.length = 0;
    this.state.statuses.length = 0;
    this.state.comments.length = 0;
    this.commits.clear();
    this.runs.clear();
    this.checkRuns.length = 0;
    this.commitStatuses.length = 0;
    this.pulls.clear();
    this.permissions.clear();
  }
}
