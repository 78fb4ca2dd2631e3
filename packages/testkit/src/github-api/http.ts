/** The HTTP pieces every route shares: GitHub's error bodies, paging and the Link header. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * GitHub's 422: "Validation Failed" with the details in `errors[]`
 * (components/schemas/validation-error in github/rest-api-description).
 */
export function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', {
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
    status: '422',
  });
}

export interface Page<T> {
  items: T[];
  last: number;
  page: number;
}

/** One page of a list: `per_page` (default 30, at most 100) and `page` (from 1). */
export function page<T>(items: T[], query: URLSearchParams, defaultSize = 30): Page<T> {
  const size = Math.min(100, Math.max(1, Number(query.get('per_page') ?? defaultSize) || defaultSize));
  const current = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / size));
  return { items: items.slice((current - 1) * size, current * size), last, page: current };
}

/** The Link header GitHub sends with a paged list (next and last while there are more). */
export function linkHeader(url: URL, p: { page: number; last: number }): Record<string, string> {
  const links: string[] = [];
  const link = (n: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set('page', String(n));
    links.push(`<${u}>; rel="${rel}"`);
  };
  if (p.page < p.last) link(p.page + 1, 'next');
  if (p.page < p.last) link(p.last, 'last');
  return links.length > 0 ? { link: links.join(', ') } : {};
}

/** A string field of a request body, else undefined. */
export const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** What a route answers: status, body, and headers (a list without headers is paged for it). */
export type Reply = [number, unknown] | [number, unknown, Record<string, string>];

export type Handler = (m: RegExpMatchArray, body: Record<string, unknown>, query: URLSearchParams, url: URL) => Reply;

/** One line of the route table: method, path under /repos/{owner}/{repo}, handler. */
export type Route = [method: string, pattern: RegExp, handler: Handler];
