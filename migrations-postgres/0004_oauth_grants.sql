CREATE TABLE "oauth_device_codes" (
	"device_code_hash" text PRIMARY KEY NOT NULL,
	"user_code" text NOT NULL,
	"client_id" text NOT NULL,
	"scopes" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"user_info" text,
	"interval" bigint NOT NULL,
	"last_polled_at_ms" bigint DEFAULT 0 NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_device_codes_user_code_unique" ON "oauth_device_codes" ("user_code");--> statement-breakpoint
CREATE INDEX "oauth_device_codes_expires_idx" ON "oauth_device_codes" ("expires_at");--> statement-breakpoint
CREATE TABLE "oauth_token_marks" (
	"kind" text NOT NULL,
	"token_id" text NOT NULL,
	"family" text DEFAULT '' NOT NULL,
	"expires_at" bigint NOT NULL,
	PRIMARY KEY("kind", "token_id")
);
--> statement-breakpoint
CREATE INDEX "oauth_token_marks_expires_idx" ON "oauth_token_marks" ("expires_at");