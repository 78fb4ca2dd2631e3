import type { LockMode, MigrationClass } from '../../src/classify';

export interface CorpusCase {
  sql: string;
  class: MigrationClass;
  /** A reason code the statement must carry. */
  code: string;
  lock?: LockMode;
}

/**
 * Migration statements as real projects ship them: the shapes of Rails, Django, Prisma, dbmate
 * and hand-written migrations in public repositories (Mastodon, GitLab, Discourse, Sentry), the
 * cases strong_migrations and squawk document, with their table and column names kept plain.
 * Each is one statement in a file of its own, against a table that already exists.
 */
export const CORPUS: CorpusCase[] = [
  // expand: new things the running release ignores
  {
    sql: 'CREATE TABLE "public"."Post" ("id" SERIAL NOT NULL, "title" TEXT NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"))',
    class: 'expand',
    code: 'create-table',
  },
  {
    sql: "CREATE TABLE IF NOT EXISTS account_notes (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts(id) ON DELETE CASCADE, comment text NOT NULL DEFAULT '', created_at timestamp NOT NULL)",
    class: 'expand',
    code: 'create-table',
  },
  {
    sql: 'ALTER TABLE users ADD COLUMN last_sign_in_ip inet',
    class: 'expand',
    code: 'add-column',
    lock: 'ACCESS EXCLUSIVE',
  },
  { sql: 'ALTER TABLE "accounts" ADD COLUMN "discoverable" boolean', class: 'expand', code: 'add-column' },
  { sql: 'ALTER TABLE statuses ADD COLUMN edited_at timestamp without time zone', class: 'expand', code: 'add-column' },
  {
    sql: 'ALTER TABLE projects ADD COLUMN visibility_level integer DEFAULT 0 NOT NULL',
    class: 'expand',
    code: 'add-column',
  },
  {
    sql: "ALTER TABLE users ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb",
    class: 'expand',
    code: 'add-column',
  },
  {
    sql: 'ALTER TABLE "orders" ADD COLUMN "created_at" timestamptz NOT NULL DEFAULT now()',
    class: 'expand',
    code: 'add-column',
  },
  {
    sql: 'CREATE INDEX CONCURRENTLY index_statuses_on_account_id_and_id ON statuses USING btree (account_id, id DESC)',
    class: 'expand',
    code: 'index-concurrently',
    lock: 'SHARE UPDATE EXCLUSIVE',
  },
  {
    sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "sentry_groupedmessage_project_id_status" ON "sentry_groupedmessage" ("project_id", "status")',
    class: 'expand',
    code: 'index-concurrently',
  },
  {
    sql: 'CREATE INDEX CONCURRENTLY idx_events_pending ON events (created_at) WHERE processed_at IS NULL',
    class: 'expand',
    code: 'index-concurrently',
  },
  {
    sql: 'DROP INDEX CONCURRENTLY IF EXISTS index_users_on_unconfirmed_email',
    class: 'expand',
    code: 'drop-index',
    lock: 'SHARE UPDATE EXCLUSIVE',
  },
  { sql: "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded'", class: 'expand', code: 'add-enum-value' },
  { sql: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')", class: 'expand', code: 'create-or-setting' },
  { sql: 'CREATE EXTENSION IF NOT EXISTS pg_trgm', class: 'expand', code: 'create-or-setting' },
  { sql: 'CREATE SEQUENCE invoice_number_seq START 1000', class: 'expand', code: 'create-or-setting' },
  {
    sql: 'ALTER TABLE "users" ALTER COLUMN "nickname" DROP NOT NULL',
    class: 'expand',
    code: 'drop-not-null',
    lock: 'ACCESS EXCLUSIVE',
  },
  { sql: "ALTER TABLE accounts ALTER COLUMN locale SET DEFAULT 'en'", class: 'expand', code: 'set-default' },
  {
    sql: 'ALTER TABLE "orders" VALIDATE CONSTRAINT "orders_customer_id_fkey"',
    class: 'expand',
    code: 'validate-constraint',
    lock: 'SHARE UPDATE EXCLUSIVE',
  },
  {
    sql: 'ALTER TABLE merge_requests DROP CONSTRAINT IF EXISTS check_title_length',
    class: 'expand',
    code: 'drop-constraint',
  },
  {
    sql: "COMMENT ON COLUMN users.otp_secret IS 'encrypted with the app key'",
    class: 'expand',
    code: 'create-or-setting',
  },
  {
    sql: 'CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql',
    class: 'expand',
    code: 'create-or-setting',
  },
  {
    sql: 'CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at()',
    class: 'expand',
    code: 'create-trigger',
    lock: 'SHARE ROW EXCLUSIVE',
  },
  {
    sql: 'CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE deleted_at IS NULL',
    class: 'expand',
    code: 'create-or-setting',
  },
  { sql: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly', class: 'expand', code: 'grant' },
  { sql: 'ALTER INDEX index_users_on_email RENAME TO users_email_idx', class: 'expand', code: 'rename-internal' },
  {
    sql: 'REINDEX INDEX CONCURRENTLY index_notifications_on_account_id',
    class: 'expand',
    code: 'reindex-concurrently',
    lock: 'SHARE UPDATE EXCLUSIVE',
  },
  { sql: 'ANALYZE statuses', class: 'expand', code: 'maintenance' },
  {
    sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY account_summaries',
    class: 'expand',
    code: 'refresh-concurrently',
    lock: 'EXCLUSIVE',
  },
  {
    sql: "CREATE TABLE measurement_y2026m12 PARTITION OF measurement FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')",
    class: 'expand',
    code: 'create-partition',
  },
  { sql: "SET lock_timeout = '5s'", class: 'expand', code: 'create-or-setting' },
  // contract: removes or narrows what the running release uses
  {
    sql: 'ALTER TABLE "users" DROP COLUMN "legacy_password_hash"',
    class: 'contract',
    code: 'drop-column',
    lock: 'ACCESS EXCLUSIVE',
  },
  {
    sql: 'ALTER TABLE statuses DROP COLUMN IF EXISTS favourites_count CASCADE',
    class: 'contract',
    code: 'drop-column',
  },
  {
    sql: 'ALTER TABLE "public"."Post" RENAME COLUMN "body" TO "content"',
    class: 'contract',
    code: 'rename-column',
    lock: 'ACCESS EXCLUSIVE',
  },
  { sql: 'ALTER TABLE customers RENAME TO clients', class: 'contract', code: 'rename-table' },
  { sql: 'DROP TABLE IF EXISTS "web_settings"', class: 'contract', code: 'drop-table', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'DROP TABLE sentry_rawevent CASCADE', class: 'contract', code: 'drop-table' },
  { sql: 'DROP VIEW IF EXISTS instances', class: 'contract', code: 'drop-view' },
  { sql: 'DROP FUNCTION IF EXISTS update_search_vector()', class: 'contract', code: 'drop-function' },
  { sql: 'DROP TYPE IF EXISTS legacy_state', class: 'contract', code: 'drop-type' },
  { sql: 'DROP SEQUENCE IF EXISTS legacy_ids_seq', class: 'contract', code: 'drop-sequence' },
  {
    sql: "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled'",
    class: 'contract',
    code: 'rename-enum-value',
  },
  { sql: 'ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL', class: 'contract', code: 'add-required-column' },
  { sql: 'ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP DEFAULT', class: 'contract', code: 'drop-default' },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
    class: 'contract',
    code: 'constraint-added',
    lock: 'SHARE ROW EXCLUSIVE',
  },
  {
    sql: 'ALTER TABLE merge_requests ADD CONSTRAINT check_title_length CHECK (char_length(title) <= 255) NOT VALID',
    class: 'contract',
    code: 'constraint-added',
  },
  {
    sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx',
    class: 'contract',
    code: 'constraint-added',
  },
  {
    sql: 'CREATE UNIQUE INDEX CONCURRENTLY index_accounts_on_username_and_domain_lower ON accounts (lower(username), lower(domain))',
    class: 'contract',
    code: 'constraint-added',
  },
  { sql: 'ALTER TABLE payments SET SCHEMA billing', class: 'contract', code: 'set-schema' },
  { sql: 'REVOKE INSERT, UPDATE ON audit_log FROM app_user', class: 'contract', code: 'revoke' },
  { sql: 'ALTER TABLE events DETACH PARTITION events_2024', class: 'contract', code: 'detach-partition' },
  { sql: 'DROP SCHEMA IF EXISTS legacy CASCADE', class: 'contract', code: 'drop-schema' },
  // breaking: locks or rewrites that stall traffic (worst class wins; contract reasons stay recorded)
  {
    sql: 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL',
    class: 'breaking',
    code: 'set-not-null',
    lock: 'ACCESS EXCLUSIVE',
  },
  { sql: 'ALTER TABLE events ALTER COLUMN id TYPE bigint', class: 'breaking', code: 'change-column-type' },
  {
    sql: 'ALTER TABLE "Post" ALTER COLUMN "title" SET DATA TYPE VARCHAR(100)',
    class: 'breaking',
    code: 'table-rewrite',
  },
  {
    sql: 'CREATE INDEX index_statuses_on_uri ON statuses (uri)',
    class: 'breaking',
    code: 'index-not-concurrent',
    lock: 'SHARE',
  },
  {
    sql: 'CREATE UNIQUE INDEX "users_email_key" ON "users"("email")',
    class: 'breaking',
    code: 'index-not-concurrent',
    lock: 'SHARE',
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)',
    class: 'breaking',
    code: 'constraint-validated-under-lock',
  },
  {
    sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)',
    class: 'breaking',
    code: 'index-not-concurrent',
  },
  {
    sql: 'ALTER TABLE sessions ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()',
    class: 'breaking',
    code: 'table-rewrite',
  },
  { sql: 'ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY', class: 'breaking', code: 'table-rewrite' },
  {
    sql: 'ALTER TABLE audit_log ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY',
    class: 'breaking',
    code: 'table-rewrite',
  },
  { sql: 'VACUUM FULL statuses', class: 'breaking', code: 'table-rewrite', lock: 'ACCESS EXCLUSIVE' },
  { sql: 'CLUSTER notifications USING index_notifications_on_account_id', class: 'breaking', code: 'table-rewrite' },
  { sql: 'REINDEX TABLE statuses', class: 'breaking', code: 'reindex', lock: 'SHARE' },
  {
    sql: 'REFRESH MATERIALIZED VIEW account_summaries',
    class: 'breaking',
    code: 'refresh-matview',
    lock: 'ACCESS EXCLUSIVE',
  },
  {
    sql: 'LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE',
    class: 'breaking',
    code: 'explicit-lock',
    lock: 'ACCESS EXCLUSIVE',
  },
  { sql: 'ALTER TABLE page_views SET LOGGED', class: 'breaking', code: 'table-rewrite' },
  // data: rows, not schema
  {
    sql: "UPDATE users SET locale = 'en' WHERE locale IS NULL",
    class: 'data',
    code: 'dml-update',
    lock: 'ROW EXCLUSIVE',
  },
  { sql: 'UPDATE accounts SET discoverable = false', class: 'data', code: 'dml-update' },
  {
    sql: "INSERT INTO settings (var, value) VALUES ('registrations_mode', 'open') ON CONFLICT (var) DO NOTHING",
    class: 'data',
    code: 'dml-insert',
  },
  { sql: "DELETE FROM sessions WHERE updated_at < now() - interval '30 days'", class: 'data', code: 'dml-delete' },
  { sql: 'INSERT INTO roles (name) SELECT DISTINCT role FROM users', class: 'data', code: 'dml-insert' },
  { sql: 'TRUNCATE TABLE search_cache', class: 'data', code: 'truncate', lock: 'ACCESS EXCLUSIVE' },
  {
    sql: "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'readonly') THEN CREATE ROLE readonly; END IF; END $$",
    class: 'data',
    code: 'do-block',
  },
  { sql: "SELECT setval('invoice_number_seq', (SELECT max(number) FROM invoices))", class: 'data', code: 'select' },
  {
    sql: 'MERGE INTO stock s USING deliveries d ON s.item = d.item WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty WHEN NOT MATCHED THEN INSERT VALUES (d.item, d.qty)',
    class: 'data',
    code: 'dml-merge',
  },
];
