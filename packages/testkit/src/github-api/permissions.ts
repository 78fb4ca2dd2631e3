/**
 * A token's permissions: a route its permission does not cover answers 403 "Resource not accessible
 * by integration", as GITHUB_TOKEN does when the job's `permissions:` leave that scope out.
 */
import { HttpError } from './http';

/** A GitHub App permission scope of an installation token (GITHUB_TOKEN's `permissions:` keys). */
export type PermissionScope =
  | 'actions'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'issues'
  | 'pull-requests'
  | 'statuses';
export type PermissionLevel = 'none' | 'read' | 'write';

/**
 * The permission a route needs ("Permissions required for GitHub Apps",
 * docs.github.com/en/rest/authentication/permissions-required-for-github-apps): Actions for workflow
 * runs, Deployments, Contents for commits, Issues or Pull requests for comments on a pull request.
 * The first matching path (under /repos/{owner}/{repo}) decides; any one of its scopes suffices.
 */
const ROUTE_SCOPES: readonly [RegExp, readonly PermissionScope[]][] = [
  [/^\/actions\//, ['actions']],
  [/^\/commits\/[^/]+\/check-runs$/, ['checks']],
  [/^\/commits\/[^/]+\/status$/, ['statuses']],
  [/^\/deployments/, ['deployments']],
  [/^\/issues\//, ['issues', 'pull-requests']],
  [/^\/pulls\//, ['pull-requests']],
  [/^\/(commits|compare)\//, ['contents']],
];

const RANK: Record<PermissionLevel, number> = { none: 0, read: 1, write: 2 };

/** Refuses a request the token's permissions do not cover (a scope not set is `write`). */
export function requirePermission(
  permissions: ReadonlyMap<PermissionScope, PermissionLevel>,
  method: string,
  path: string,
): void {
  const scopes = ROUTE_SCOPES.find(([pattern]) => pattern.test(path))?.[1];
  if (!scopes) return;
  const needs: PermissionLevel = method === 'GET' ? 'read' : 'write';
  if (scopes.some((scope) => RANK[permissions.get(scope) ?? 'write'] >= RANK[needs])) return;
  throw new HttpError(403, 'Resource not accessible by integration');
}
