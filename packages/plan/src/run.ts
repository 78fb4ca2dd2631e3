import { resolve } from 'node:path';
import { openDeployWindow, type WindowInputs } from '@deploy-actions/deploy-window';
import { type DeployPlan, renderDeployPlan } from '@deploy-actions/deployments/plan';
import { type Fly, listSecrets } from '@deploy-actions/fly';
import type { GitHubClient } from '@deploy-actions/github';
import { ROLLBACK_BLOCKING, sortClasses } from '@deploy-actions/migrate/classify';
import { log, Summary } from '@deploy-actions/toolkit';
import { type CheckoutLayout, readCheckout } from './checkout';
import { upsertPlanComment } from './comment';
import { buildPlan } from './plan';
import { windowAtMerge } from './window';

export interface DeployPlanOptions {
  basePath: string;
  headPath: string;
  layout: CheckoutLayout;
  /** The deploy window the pipeline applies, when it has one. */
  window?: WindowInputs & { holidays?: string; holidayTypes: readonly string[] };
  /** The likely merge time, ms since the epoch. */
  mergeAt: number;
  pgVersionNum: number;
  lockTimeout: boolean;
  /**
   * The Fly app the pipeline deploys, with a client: secret names are then compared with the app's
   * current secrets, as fly-secrets-sync will (it removes undeclared ones only in exact mode).
   */
  app?: { name: string; fly: Fly; mode: 'merge' | 'exact' };
  /** Where to post; without it the plan goes to the job summary only. */
  comment?: { client: GitHubClient; pr: number };
}

export interface DeployPlanResult {
  plan: DeployPlan;
  body: string;
  commentUrl?: string;
  created?: boolean;
}

/** Reads base and head, builds the plan, renders it, and posts or edits the one plan comment. */
export async function runDeployPlan(options: DeployPlanOptions): Promise<DeployPlanResult> {
  const base = readCheckout(options.basePath, options.layout, 'base');
  const head = readCheckout(options.headPath, options.layout, 'head');
  const window = options.window ? windowAtMerge(await openDeployWindow(options.window), options.mergeAt) : undefined;
  const plan = await buildPlan(base, head, {
    headRoot: resolve(options.headPath),
    pgVersionNum: options.pgVersionNum,
    lockTimeout: options.lockTimeout,
    window,
    currentSecrets: options.app && {
      app: options.app.name,
      names: (await listSecrets(options.app.fly, options.app.name)).map((s) => s.name),
      mode: options.app.mode,
    },
    logger: { info: log.info, warning: (message) => log.warning(message) },
  });
  const body = renderDeployPlan(plan);
  if (!options.comment) return { plan, body };
  const posted = await upsertPlanComment(options.comment.client, options.comment.pr, body);
  return { plan, body, commentUrl: posted.url, created: posted.created };
}

/** The action's outputs, every one always set. */
export function planOutputs(
  result: DeployPlanResult,
): Record<'comment-url' | 'migrations' | 'classes' | 'blocking', string> {
  const classes = sortClasses(result.plan.migrations.map((m) => m.class));
  return {
    'comment-url': result.commentUrl ?? '',
    migrations: String(result.plan.migrations.length),
    classes: classes.join(','),
    blocking: String(classes.some((c) => ROLLBACK_BLOCKING.includes(c))),
  };
}

/** The job summary: the plan itself, and where it was posted. */
export function planSummary(result: DeployPlanResult): Summary {
  const summary = new Summary();
  summary.text(result.body);
  if (result.commentUrl)
    summary.text(`${result.created ? 'Posted' : 'Updated'} on the pull request: ${result.commentUrl}`);
  return summary;
}
