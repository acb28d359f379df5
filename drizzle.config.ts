import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/stores/db/schema.ts",
  out: "./drizzle",
});
