-- The import that wrote a row is an audit pointer, not part of the row's
-- meaning, and imports are never deleted. PostgreSQL checks a foreign key
-- with a query per row (about 9 µs here): on the history, loans, measures,
-- cadres and department rows of a large import those checks cost more
-- than writing the rows. The pointers stay; their constraints go. SQLite
-- checks a key with one lookup in process and keeps them (see its 0009).
ALTER TABLE changes DROP CONSTRAINT IF EXISTS changes_import_id_fkey;
ALTER TABLE loans DROP CONSTRAINT IF EXISTS loans_import_id_fkey;
ALTER TABLE measures DROP CONSTRAINT IF EXISTS measures_import_id_fkey;
ALTER TABLE cadres DROP CONSTRAINT IF EXISTS cadres_import_id_fkey;
ALTER TABLE dept_records DROP CONSTRAINT IF EXISTS dept_records_import_id_fkey;
ALTER TABLE leads DROP CONSTRAINT IF EXISTS leads_import_id_fkey;
