import { upsertPrComment } from '../send/github';
import { noToken } from './github-deployment';
import type { Channel } from './types';

interface CommentConfig {
  pr?: 'current' | number;
}

/** One comment per app and environment on the pull request, kept up to date. */
export const prComment: Channel<CommentConfig> = {
  name: 'pr-comment',
  wanted: (configs) => (configs.prComment?.pr !== undefined ? configs.prComment : undefined),
  async send(message, config, context) {
    const client = context.github();
    if (!client) throw noToken();
    const pr = config.pr === 'current' ? context.run.pullRequest : config.pr;
    if (pr === undefined) {
      return { outcome: 'skipped', detail: 'this run is not for a pull request: no comment to write', attempts: 0 };
    }
    const r = await upsertPrComment(client, pr, message);
    return {
      outcome: 'sent',
      detail: `${r.created ? 'created' : 'updated'} the comment on #${pr}`,
      attempts: 1,
      commentUrl: r.url,
    };
  },
};
