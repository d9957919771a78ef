-- Change history for loans, measures and cadres: the entity CHECK of
-- changes gains 'loan', 'measure' and 'cadre'. SQLite cannot alter a CHECK,
-- so the table is rebuilt with its rows and indexes (nothing references it).
CREATE TABLE changes_new (
    id             INTEGER PRIMARY KEY,
    at             TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL,
    import_id      INTEGER REFERENCES imports (id),
    household_code TEXT NOT NULL,
    entity         TEXT NOT NULL CHECK (entity IN ('household', 'member', 'income', 'loan', 'measure', 'cadre')),
    entity_key     TEXT NOT NULL,
    field          TEXT NOT NULL,
    old_value      TEXT NOT NULL,
    new_value      TEXT NOT NULL
);
INSERT INTO changes_new (id, at, actor, import_id, household_code, entity, entity_key, field, old_value, new_value)
    SELECT id, at, actor, import_id, household_code, entity, entity_key, field, old_value, new_value FROM changes;
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
CREATE INDEX changes_household ON changes (household_code);
CREATE INDEX changes_import ON changes (import_id);

-- Loans are matched on re-import by borrower as well as by natural key.
CREATE INDEX loans_borrower ON loans (borrower_id_number);
