DROP TABLE IF EXISTS "schedulable_entities";--> statement-breakpoint
DROP TABLE IF EXISTS "description_entities";--> statement-breakpoint
DROP TABLE IF EXISTS "named_entity_metadata";--> statement-breakpoint
DROP TABLE IF EXISTS "launch_plans";--> statement-breakpoint
DROP TABLE IF EXISTS "workflows";--> statement-breakpoint
DROP TABLE IF EXISTS "tasks";
