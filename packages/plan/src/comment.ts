import { PLAN_MARKER } from '@deploy-actions/deployments/plan';
import { type GitHubClient, sameLogin } from '@deploy-actions/github';
import { UserError } from '@deploy-actions/toolkit';

interface Comment {
  id: number;
  body?: string;
  html_url: string;
  user?: { login?: string } | null;
}

/**
 * The plan comment this token wrote on the pull request: the first carrying the marker whose
 * author is the token's own identity. Anyone can paste the marker; only our comment is edited.
 */
async function findPlanComment(client: GitHubClient, pr: number, me: string): Promise<Comment | undefined> {
  let found: Comment | undefined;
  await client.list<Comment>(
    `/issues/${pr}/comments`,
    {},
    {
      until: (c) => {
        if (sameLogin(c.user?.login, me) && (c.body ?? '').startsWith(PLAN_MARKER)) found = c;
        return found !== undefined;
      },
    },
  );
  return found;
}

/** Posts the plan on the pull request, or edits the one plan comment already there. */
export async function upsertPlanComment(
  client: GitHubClient,
  pr: number,
  body: string,
): Promise<{ url: string; created: boolean }> {
  const me = await client.viewer();
  if (!me)
    throw new UserError(
      'GitHub did not say which account the token acts as, so the plan comment cannot be found again.',
    );
  const existing = await findPlanComment(client, pr, me);
  if (existing) {
    if (existing.body === body) return { url: existing.html_url, created: false };
    const updated = await client.request<Comment>('PATCH', `/issues/comments/${existing.id}`, { body });
    return { url: updated.html_url, created: false };
  }
  // After a 5xx the comment may exist: look for it before posting again.
  const created = await client.create<Comment>(`/issues/${pr}/comments`, { body }, () =>
    findPlanComment(client, pr, me),
  );
  return { url: created.html_url, created: true };
}
