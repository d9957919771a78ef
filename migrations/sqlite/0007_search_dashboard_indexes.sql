-- Household search and the dashboard over a registry of a million people.
-- Names are searched by their beginning, as a range of the (binary) index.
-- The household's id rides along, so that a surname matching a tenth of
-- the registry is answered from the index alone.
CREATE INDEX members_name ON members (name, household_id);
CREATE INDEX households_head_name ON households (head_name);
-- ID numbers are searched by their last digits: a suffix LIKE cannot use a
-- btree, an index on the last four characters can (the rest of the tail is
-- checked on the few entries it finds).
CREATE INDEX members_id_tail ON members (substr(id_number, length(id_number) - 3), id_number, household_id);
-- Lists are paged in place order; the index serves the scope filter too.
DROP INDEX households_village;
CREATE INDEX households_village ON households (township, village, code);
-- The date of the latest evaluation and of the latest closing: read on
-- every dashboard to tell whether its cached figures are still current.
CREATE INDEX flags_last_seen ON flags (last_seen);
CREATE INDEX flags_closed_on ON flags (closed_on);
