/** Issue and pull request comments (docs.github.com/en/rest/issues/comments). */
import { HttpError, type Route, str, validationFailed } from './http';
import type { IssueComment } from './schemas';
import type { Store } from './state';

/** Longest issue comment body GitHub stores, in characters. */
const COMMENT_LIMIT = 65_536;

export function createComment(store: Store, issue: number, body: string, author = store.login): IssueComment {
  const id = store.nextId();
  const at = store.now();
  const comment: IssueComment = {
    id,
    issue_number: issue,
    body,
    html_url: `${store.serverUrl}/${store.repository}/pull/${issue}#issuecomment-${id}`,
    url: `${store.repoUrl()}/issues/comments/${id}`,
    node_id: `IC_${id}`,
    issue_url: `${store.repoUrl()}/issues/${issue}`,
    user: store.who(author),
    author_association: author.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
    created_at: at,
    updated_at: at,
  };
  store.state.comments.push(comment);
  return comment;
}

/** The comment text of a request: missing -> 422 missing_field; over 65,536 characters -> 422 "body is too long". */
function commentBody(body: Record<string, unknown>): string {
  const text = str(body.body);
  if (!text) throw validationFailed('IssueComment', 'body', 'missing_field');
  if ([...text].length > COMMENT_LIMIT) {
    throw validationFailed(
      'IssueComment',
      'body',
      'custom',
      `body is too long (maximum is ${COMMENT_LIMIT} characters)`,
    );
  }
  return text;
}

export function commentRoutes(store: Store): Route[] {
  return [
    // Oldest first, paged by the server (per_page default 30, Link).
    [
      'GET',
      /^\/issues\/(\d+)\/comments$/,
      (m) => [200, store.state.comments.filter((c) => c.issue_number === Number(m[1]))],
    ],
    ['POST', /^\/issues\/(\d+)\/comments$/, (m, body) => [201, createComment(store, Number(m[1]), commentBody(body))]],
    [
      'PATCH',
      /^\/issues\/comments\/(\d+)$/,
      (m, body) => {
        const c = store.state.comments.find((x) => x.id === Number(m[1]));
        if (!c) throw new HttpError(404, 'Not Found');
        c.body = commentBody(body);
        c.updated_at = store.now();
        return [200, c];
      },
    ],
  ];
}
