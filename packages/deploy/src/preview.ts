import { createHash } from 'node:crypto';

/**
 * The preview app of a pull request: `pr-<number>-<repo>-<hash>`, where `<hash>` is the
 * first 6 hex characters of SHA-256 of `owner/repo` (lower case), so `acme/shop` and
 * `partner-co/shop`, or `acme/shop.web` and `acme/shop_web`, never share an app. Lower case,
 * other characters folded into `-`, the repo part cut so the name fits Fly's 63.
 * Deterministic: every run for the same pull request finds the same app.
 */
export function previewAppName(prNumber: number, repository: string): string {
  const full = repository.trim().toLowerCase();
  const repo = full.includes('/') ? full.slice(full.indexOf('/') + 1) : full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const slug = (text: string) => text.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const head = `pr-${prNumber}`;
  const room = 63 - head.length - hash.length - 2;
  const middle = slug(repo).slice(0, Math.max(0, room)).replace(/-+$/, '');
  return middle ? `${head}-${middle}-${hash}` : `${head}-${hash}`;
}

/** True for the preview app of pull request `prNumber` of `repository`: the only app a closed preview destroys. */
export function isPreviewApp(app: string, prNumber: number, repository: string): boolean {
  return app === previewAppName(prNumber, repository);
}
