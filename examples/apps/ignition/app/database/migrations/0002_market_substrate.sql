CREATE TABLE markets (
  id bigserial PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  owner_id bigint REFERENCES users (id)
);
