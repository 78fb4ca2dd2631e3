import { isAppName } from '@deploy-actions/fly/names';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPreviewApp, previewAppName } from '../src/preview';

describe('previewAppName', () => {
  it('builds pr-<number>-<repo>-<hash of owner/repo>, lower case and sanitized', () => {
    expect(previewAppName(42, 'Acme/My_Shop.Web')).toMatch(/^pr-42-my-shop-web-[0-9a-f]{6}$/);
    expect(previewAppName(42, 'Acme/My_Shop.Web')).toBe(previewAppName(42, 'acme/my_shop.web'));
  });
  it('never gives two repositories the same app (owners, and repos that fold alike)', () => {
    expect(previewAppName(12, 'acme/shop')).not.toBe(previewAppName(12, 'partner-co/shop'));
    expect(previewAppName(12, 'acme/shop.web')).not.toBe(previewAppName(12, 'acme/shop_web'));
  });
  it('is always a valid app name of at most 63 characters, and deterministic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.string({ maxLength: 120 }), (pr, repo) => {
        const name = previewAppName(pr, `owner/${repo}`);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(isAppName(name)).toBe(true);
        expect(previewAppName(pr, `owner/${repo}`)).toBe(name);
      }),
    );
  });
  it('knows the preview app of a pull request from any other', () => {
    expect(isPreviewApp(previewAppName(3, 'acme/shop'), 3, 'acme/shop')).toBe(true);
    expect(isPreviewApp(previewAppName(3, 'acme/shop'), 4, 'acme/shop')).toBe(false);
    expect(isPreviewApp('shop-production', 3, 'acme/shop')).toBe(false);
  });
});
