import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes files (path → text) under a fresh folder and returns it. */
export function checkout(files: Record<string, string>, root = mkdtempSync(join(tmpdir(), 'plan-'))): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const FLY_TOML = (strategy: string) => `app = "shop"
primary_region = "ams"

[deploy]
  strategy = "${strategy}"

[http_service]
  internal_port = 8080
`;

/** The base of the pull request: two applied migrations, rolling deploys, two secrets. */
export const BASE = {
  'migrations/0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy_name text);\n',
  'migrations/0002_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
  'fly.toml': FLY_TOML('rolling'),
  '.env.example': 'DATABASE_URL=postgres://localhost/shop\nSESSION_SECRET=change-me-base-value\n',
};

/** The head: an expand and a contract migration, a new secret name, a blue-green strategy. */
export const HEAD = {
  ...BASE,
  'migrations/0003_add_phone.sql': 'ALTER TABLE users ADD COLUMN phone text;\n',
  'migrations/0004_drop_legacy_name.sql':
    '-- the release before this one stops reading it\nALTER TABLE users DROP COLUMN legacy_name;\n',
  'fly.toml': FLY_TOML('bluegreen'),
  '.env.example': 'DATABASE_URL=postgres://localhost/shop\nSESSION_SECRET=change-me-head-value\nSTRIPE_KEY\n',
};
