CREATE TABLE pull_requests (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  status text NOT NULL DEFAULT 'open'
);
