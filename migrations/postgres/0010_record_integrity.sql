-- The record stays true under concurrent work (issue 10).
--
-- One open flag per household and rule, enforced by the database: two
-- evaluations that raced used to open the same flag twice. Duplicates left
-- by that are closed first (the oldest open one is kept).
UPDATE flags SET status = 'closed', closed_on = last_seen
 WHERE status = 'open'
   AND id NOT IN (SELECT MIN(id) FROM flags WHERE status = 'open' GROUP BY household_id, rule_code);
CREATE UNIQUE INDEX flags_one_open ON flags (household_id, rule_code) WHERE status = 'open';

-- Leases serialise long work that is not one transaction (an evaluation):
-- a holder and an expiry, renewed while the work runs, so a crashed
-- process frees it by itself.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);

-- Row locks taken first in a writing transaction (UPDATE of the row): on
-- PostgreSQL and the engines like it the second writer waits for the first
-- to commit, and then reads what it wrote. SQLite has one writer anyway.
CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);
INSERT INTO locks (name, n) VALUES ('registry', 0);

-- The history says from when a change holds (the date of the decision or
-- of the data that brought it), so a report as of a date can take back
-- what came later; and why, apart from the field's name.
ALTER TABLE changes ADD COLUMN effective_on DATE;
ALTER TABLE changes ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- Households whose follow-up evaluation after an import failed: the next
-- evaluation takes them up.
ALTER TABLE households ADD COLUMN eval_pending BOOLEAN NOT NULL DEFAULT FALSE;

-- Which account recorded a step is kept already (recorded_by); its role at
-- the time is kept beside it, as the role may change later.
ALTER TABLE case_steps ADD COLUMN recorded_role TEXT NOT NULL DEFAULT '';
