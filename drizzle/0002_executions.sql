CREATE TABLE `execution_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`request_id` text DEFAULT '' NOT NULL,
	`occurred_at` text,
	`phase` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `execution_events_key_idx` ON `execution_events` (`execution_project`,`execution_domain`,`execution_name`,`phase`);--> statement-breakpoint
CREATE TABLE `execution_tags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`key` text NOT NULL,
	`value` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `execution_tags_key_idx` ON `execution_tags` (`execution_project`,`execution_domain`,`execution_name`,`key`,`value`);--> statement-breakpoint
CREATE INDEX `execution_tags_tag_key_idx` ON `execution_tags` (`key`);--> statement-breakpoint
CREATE INDEX `execution_tags_value_idx` ON `execution_tags` (`value`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`launch_plan_id` integer,
	`workflow_id` integer,
	`task_id` integer,
	`phase` text DEFAULT 'UNDEFINED' NOT NULL,
	`spec` blob NOT NULL,
	`closure` blob,
	`started_at` text,
	`execution_created_at` text,
	`execution_updated_at` text,
	`duration` integer DEFAULT 0 NOT NULL,
	`abort_cause` text DEFAULT '' NOT NULL,
	`mode` integer DEFAULT 0 NOT NULL,
	`source_execution_id` integer,
	`parent_node_execution_id` integer,
	`cluster` text DEFAULT '' NOT NULL,
	`inputs_uri` text DEFAULT '' NOT NULL,
	`user_inputs_uri` text DEFAULT '' NOT NULL,
	`error_kind` text,
	`error_code` text,
	`user` text DEFAULT '' NOT NULL,
	`state` integer DEFAULT 0 NOT NULL,
	`launch_entity` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `executions_key_idx` ON `executions` (`execution_project`,`execution_domain`,`execution_name`);--> statement-breakpoint
CREATE INDEX `executions_launch_plan_id_idx` ON `executions` (`launch_plan_id`);--> statement-breakpoint
CREATE INDEX `executions_workflow_id_idx` ON `executions` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `executions_task_id_idx` ON `executions` (`task_id`);--> statement-breakpoint
CREATE INDEX `executions_error_kind_idx` ON `executions` (`error_kind`);--> statement-breakpoint
CREATE INDEX `executions_user_idx` ON `executions` (`user`);--> statement-breakpoint
CREATE INDEX `executions_state_idx` ON `executions` (`state`);--> statement-breakpoint
CREATE INDEX `idx_executions_created_at` ON `executions` (`execution_created_at`);--> statement-breakpoint
CREATE INDEX `idx_executions_phase` ON `executions` (`phase`);--> statement-breakpoint
CREATE INDEX `executions_started_at_idx` ON `executions` (`execution_project`,`execution_domain`,`started_at`);--> statement-breakpoint
CREATE TABLE `node_execution_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`node_id` text NOT NULL,
	`request_id` text DEFAULT '' NOT NULL,
	`occurred_at` text,
	`phase` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_execution_events_key_idx` ON `node_execution_events` (`execution_project`,`execution_domain`,`execution_name`,`node_id`,`phase`);--> statement-breakpoint
CREATE TABLE `node_executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`node_id` text NOT NULL,
	`phase` text DEFAULT 'UNDEFINED' NOT NULL,
	`input_uri` text DEFAULT '' NOT NULL,
	`closure` blob,
	`started_at` text,
	`node_execution_created_at` text,
	`node_execution_updated_at` text,
	`duration` integer DEFAULT 0 NOT NULL,
	`node_execution_metadata` blob,
	`parent_id` integer,
	`parent_task_execution_id` integer,
	`error_kind` text,
	`error_code` text,
	`cache_status` text,
	`dynamic_workflow_remote_closure_reference` text DEFAULT '' NOT NULL,
	`internal_data` blob
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_executions_key_idx` ON `node_executions` (`execution_project`,`execution_domain`,`execution_name`,`node_id`);--> statement-breakpoint
CREATE INDEX `node_executions_node_id_idx` ON `node_executions` (`node_id`);--> statement-breakpoint
CREATE INDEX `node_executions_parent_id_idx` ON `node_executions` (`parent_id`);--> statement-breakpoint
CREATE INDEX `node_executions_parent_task_execution_id_idx` ON `node_executions` (`parent_task_execution_id`);--> statement-breakpoint
CREATE INDEX `node_executions_error_kind_idx` ON `node_executions` (`error_kind`);--> statement-breakpoint
CREATE TABLE `resources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text DEFAULT '' NOT NULL,
	`domain` text DEFAULT '' NOT NULL,
	`workflow` text DEFAULT '' NOT NULL,
	`launch_plan` text DEFAULT '' NOT NULL,
	`resource_type` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`attributes` blob NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resource_idx` ON `resources` (`project`,`domain`,`workflow`,`launch_plan`,`resource_type`);--> statement-breakpoint
CREATE TABLE `signals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`signal_id` text NOT NULL,
	`type` blob NOT NULL,
	`value` blob
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signals_key_idx` ON `signals` (`execution_project`,`execution_domain`,`execution_name`,`signal_id`);--> statement-breakpoint
CREATE TABLE `task_executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`project` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`execution_project` text NOT NULL,
	`execution_domain` text NOT NULL,
	`execution_name` text NOT NULL,
	`node_id` text NOT NULL,
	`retry_attempt` integer DEFAULT 0 NOT NULL,
	`phase` text DEFAULT 'UNDEFINED' NOT NULL,
	`phase_version` integer DEFAULT 0 NOT NULL,
	`input_uri` text DEFAULT '' NOT NULL,
	`closure` blob,
	`started_at` text,
	`task_execution_created_at` text,
	`task_execution_updated_at` text,
	`duration` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_executions_key_idx` ON `task_executions` (`project`,`domain`,`name`,`version`,`execution_project`,`execution_domain`,`execution_name`,`node_id`,`retry_attempt`);--> statement-breakpoint
CREATE INDEX `idx_task_executions_exec` ON `task_executions` (`execution_project`,`execution_domain`,`execution_name`,`node_id`);