-- The facts the engine records (engine/journey/account-facts.ts), one row per fact id: a fact sent
-- again (a retried activity, a replayed workflow) is not stored twice. `at` is the business time
-- (UTC): the event's own `at` when it had one, otherwise when the engine saw it.
-- In DuckDB `->>` binds more loosely than `=` and AND: `(data ->> 'x') = 1`, always in parentheses.
CREATE TABLE IF NOT EXISTS facts (
  id          VARCHAR PRIMARY KEY,
  type        VARCHAR NOT NULL,
  account     VARCHAR NOT NULL,
  occurred_at TIMESTAMP NOT NULL,
  playbook    VARCHAR,
  run         INTEGER,
  holdout     BOOLEAN,
  data        JSON NOT NULL
);
