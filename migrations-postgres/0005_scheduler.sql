CREATE TABLE "schedule_fire_times" (
	"project" text NOT NULL,
	"domain" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"last_fired_at" bigint NOT NULL,
	PRIMARY KEY("project", "domain", "name", "version")
);
--> statement-breakpoint
CREATE TABLE "scheduler_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" bigint NOT NULL
);
