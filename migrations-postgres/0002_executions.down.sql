DROP TABLE IF EXISTS "signals";--> statement-breakpoint
DROP TABLE IF EXISTS "resources";--> statement-breakpoint
DROP TABLE IF EXISTS "task_executions";--> statement-breakpoint
DROP TABLE IF EXISTS "node_execution_events";--> statement-breakpoint
DROP TABLE IF EXISTS "node_executions";--> statement-breakpoint
DROP TABLE IF EXISTS "execution_events";--> statement-breakpoint
DROP TABLE IF EXISTS "execution_tags";--> statement-breakpoint
DROP TABLE IF EXISTS "executions";
