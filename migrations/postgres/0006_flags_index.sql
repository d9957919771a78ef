-- Evaluation reads a batch's open flags by household range; an index led by
-- status drew the planner into scanning every open flag for each batch.
DROP INDEX flags_rule;
CREATE INDEX flags_rule ON flags (rule_code, household_id);
