// Which engine the tests run on: the embedded file by default, a real PostgreSQL with
// FLYTEADMIN_TEST_DB=postgres (.ci/run runs the suite both ways). Each caller gets a database of its own.
import { join } from "node:path";
import { freshDatabase } from "./postgres";

const testEngine: "sqlite" | "postgres" = process.env.FLYTEADMIN_TEST_DB === "postgres" ? "postgres" : "sqlite";

/** A fresh database URL: a file in `dir` on the embedded engine, a new database on the shared PostgreSQL. */
export function testDatabaseUrl(dir: string): Promise<string> {
  return testEngine === "postgres" ? freshDatabase() : Promise.resolve(`file:${join(dir, "admin.db")}`);
}

/** As testDatabaseUrl, for callers with no directory: an in-memory embedded database. */
export function scratchDatabaseUrl(): Promise<string> {
  return testEngine === "postgres" ? freshDatabase() : Promise.resolve("file::memory:");
}
