CREATE TABLE events (id bigserial PRIMARY KEY, type text NOT NULL, url text, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE leads (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
