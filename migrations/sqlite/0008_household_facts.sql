-- Evaluating a million households read every member row through the
-- driver one column at a time; the facts the rules see of a household are
-- now kept in one compact row, rebuilt when the household changes:
-- households.rev counts its changes (its own fields, members, incomes) and
-- a facts row is used only while its rev is the household's.
ALTER TABLE households ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE TABLE household_facts (
    household_id INTEGER PRIMARY KEY REFERENCES households (id),
    rev          INTEGER NOT NULL,
    data         BLOB NOT NULL
);
-- One row per evaluation run: the monitoring date and the dashboard's
-- freshness mark read it, instead of an index on every flag's last
-- sighting that each daily run had to rewrite.
CREATE TABLE evaluations (
    id             INTEGER PRIMARY KEY,
    as_of          DATE NOT NULL,
    config_version INTEGER NOT NULL,
    scope          TEXT NOT NULL,
    households     INTEGER NOT NULL,
    opened         INTEGER NOT NULL,
    kept           INTEGER NOT NULL,
    closed         INTEGER NOT NULL,
    finished_at    TIMESTAMP NOT NULL
);
INSERT INTO evaluations (as_of, config_version, scope, households, opened, kept, closed, finished_at)
    SELECT MAX(last_seen), COALESCE(MAX(config_version), 0), '', 0, 0, 0, 0, CURRENT_TIMESTAMP FROM flags HAVING COUNT(*) > 0;
CREATE INDEX evaluations_as_of ON evaluations (as_of);
DROP INDEX flags_last_seen;
