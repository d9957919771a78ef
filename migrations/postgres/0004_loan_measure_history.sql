-- Change history for loans, measures and cadres: the entity CHECK of
-- changes gains 'loan', 'measure' and 'cadre'.
ALTER TABLE changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check
    CHECK (entity IN ('household', 'member', 'income', 'loan', 'measure', 'cadre'));

-- Loans are matched on re-import by borrower as well as by natural key.
CREATE INDEX loans_borrower ON loans (borrower_id_number);
