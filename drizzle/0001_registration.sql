CREATE TABLE `description_entities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`resource_type` integer NOT NULL,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`short_description` text DEFAULT '' NOT NULL,
	`long_description` blob,
	`link` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `description_entities_key_idx` ON `description_entities` (`resource_type`,`project`,`domain`,`name`,`version`);--> statement-breakpoint
CREATE INDEX `description_entities_name_idx` ON `description_entities` (`resource_type`,`project`,`domain`,`name`);--> statement-breakpoint
CREATE TABLE `launch_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`spec` blob NOT NULL,
	`workflow_id` integer NOT NULL,
	`closure` blob NOT NULL,
	`state` integer DEFAULT 0 NOT NULL,
	`digest` blob,
	`schedule_type` text DEFAULT 'NONE' NOT NULL,
	`launch_condition_type` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `launch_plans_key_idx` ON `launch_plans` (`project`,`domain`,`name`,`version`);--> statement-breakpoint
CREATE INDEX `lp_project_domain_name_idx` ON `launch_plans` (`project`,`domain`,`name`);--> statement-breakpoint
CREATE INDEX `lp_project_domain_state_idx` ON `launch_plans` (`project`,`domain`,`state`);--> statement-breakpoint
CREATE INDEX `launch_plans_workflow_id_idx` ON `launch_plans` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `launch_plans_created_at_idx` ON `launch_plans` (`created_at`);--> statement-breakpoint
CREATE INDEX `idx_launch_plans_launch_conditions` ON `launch_plans` (`launch_condition_type`) WHERE launch_condition_type IS NOT NULL;--> statement-breakpoint
CREATE TABLE `named_entity_metadata` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`resource_type` integer NOT NULL,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`state` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `named_entity_metadata_key_idx` ON `named_entity_metadata` (`resource_type`,`project`,`domain`,`name`);--> statement-breakpoint
CREATE TABLE `schedulable_entities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`cron_expression` text,
	`fixed_rate_value` integer,
	`unit` integer,
	`kickoff_time_input_arg` text,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedulable_entities_key_idx` ON `schedulable_entities` (`project`,`domain`,`name`,`version`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`closure` blob NOT NULL,
	`digest` blob,
	`type` text DEFAULT '' NOT NULL,
	`short_description` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_key_idx` ON `tasks` (`project`,`domain`,`name`,`version`);--> statement-breakpoint
CREATE INDEX `task_project_domain_name_idx` ON `tasks` (`project`,`domain`,`name`);--> statement-breakpoint
CREATE INDEX `task_project_domain_idx` ON `tasks` (`project`,`domain`);--> statement-breakpoint
CREATE INDEX `tasks_created_at_idx` ON `tasks` (`created_at`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`typed_interface` blob,
	`remote_closure_identifier` text NOT NULL,
	`digest` blob,
	`short_description` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workflows_key_idx` ON `workflows` (`project`,`domain`,`name`,`version`);--> statement-breakpoint
CREATE INDEX `workflow_project_domain_name_idx` ON `workflows` (`project`,`domain`,`name`);--> statement-breakpoint
CREATE INDEX `workflow_project_domain_idx` ON `workflows` (`project`,`domain`);--> statement-breakpoint
CREATE INDEX `workflows_created_at_idx` ON `workflows` (`created_at`);