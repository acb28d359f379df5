DROP INDEX IF EXISTS "executions_created_idx";
