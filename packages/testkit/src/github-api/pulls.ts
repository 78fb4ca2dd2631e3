/** Pull requests as tests seed them (docs.github.com/en/rest/pulls/pulls#get-a-pull-request). */
import { HttpError, type Route } from './http';
import type { Store } from './state';

export function pullRoutes(store: Store): Route[] {
  return [
    [
      'GET',
      /^\/pulls\/(\d+)$/,
      (m) => {
        // pulls/get-a-pull-request: `state` is open or closed; a merged one is closed with merged true.
        const n = Number(m[1]);
        const pull = store.pulls.get(n);
        if (!pull) throw new HttpError(404, 'Not Found');
        return [200, { number: n, html_url: `${store.serverUrl}/${store.repository}/pull/${n}`, ...pull }];
      },
    ],
  ];
}
