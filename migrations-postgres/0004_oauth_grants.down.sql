DROP TABLE IF EXISTS "oauth_token_marks";--> statement-breakpoint
DROP TABLE IF EXISTS "oauth_device_codes";
