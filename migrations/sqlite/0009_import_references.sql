-- PostgreSQL drops the foreign-key constraints of the import_id columns
-- here (a query per row); SQLite checks a key with one lookup in process
-- and keeps them. Dropping a constraint in SQLite would mean rebuilding
-- each table. Nothing to do.
SELECT 1;
