-- Sample data for a pull request's preview database: run once, when the database is created.
INSERT INTO orders (customer_email, total_cents) VALUES
  ('ada@example.com', 4200),
  ('grace@example.com', 1999);
