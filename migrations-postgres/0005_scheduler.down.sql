DROP TABLE IF EXISTS "scheduler_leases";--> statement-breakpoint
DROP TABLE IF EXISTS "schedule_fire_times";
