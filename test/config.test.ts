// Config: defaults serve, file < env < flags, unknown and ill-typed keys name the key and the source.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, configDocs, loadConfig, strayEnvironment } from "../src/config/load";
import { configKeys, envName } from "../src/config/keys";
import { configTable, readmeTable } from "../scripts/readme-config";

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "flyteadmin-cfg-")), "config.yaml");
  writeFileSync(path, text);
  return path;
}

describe("config", () => {
  test("no file at all is a serving configuration with upstream's defaults", () => {
    const c = loadConfig();
    expect(c.server.httpPort).toBe(8088);
    expect(c.server.grpc.port).toBe(8089);
    expect(c.server.grpc.maxMessageSizeBytes).toBe(20 * 1024 * 1024);
    expect(c.domains.map((d) => d.id)).toEqual(["development", "staging", "production"]);
    expect(c.database.url).toBe("file:.flyteadmin/flyteadmin.db");
  });

  test("file, then environment, then flags", () => {
    const file = yamlFile("server:\n  httpPort: 9000\n  grpc:\n    port: 9001\ndomains:\n  - {id: dev, name: Dev}\n");
    const c = loadConfig({
      file,
      env: { FLYTE_SERVER_GRPC_PORT: "9100", FLYTE_LOGGER_LEVEL: "debug" },
      flags: { "logger.level": "warn" },
    });
    expect(c.server.httpPort).toBe(9000);
    expect(c.server.grpc.port).toBe(9100);
    expect(c.logger.level).toBe("warn");
    expect(c.domains).toEqual([{ id: "dev", name: "Dev" }]);
  });

  test("upstream's database.sqlite.file wins over database.url", () => {
    expect(loadConfig({ flags: { "database.sqlite.file": "/tmp/x.db" } }).database.url).toBe("file:/tmp/x.db");
  });

  test("unknown key names the key and the file", () => {
    const file = yamlFile("server:\n  httpPortt: 1\n");
    expect(() => loadConfig({ file })).toThrow(`unknown config key "server.httpPortt" in ${file}`);
  });

  test("ill-typed values name the key and where they came from", () => {
    const file = yamlFile("server:\n  httpPort: eighty\n");
    expect(() => loadConfig({ file })).toThrow(/"server.httpPort" \(from config file .*config.yaml\)/);
    expect(() => loadConfig({ env: { FLYTE_SERVER_HTTPPORT: "x" } })).toThrow(/from environment variable FLYTE_SERVER_HTTPPORT/);
    expect(() => loadConfig({ flags: { "logger.level": "loud" } })).toThrow(/"logger.level" \(from flag --logger.level\)/);
    expect(() => loadConfig({ flags: { "no.such": "1" } })).toThrow("unknown flag --no.such");
  });

  test("a missing or broken file is a clear error", () => {
    expect(() => loadConfig({ file: "/nonexistent/config.yaml" })).toThrow(/cannot read config file \/nonexistent\/config.yaml/);
    expect(() => loadConfig({ file: yamlFile("server: [1, 2\n") })).toThrow(/is not valid YAML/);
  });

  test("database.url is checked at load, naming the key and its source", () => {
    for (const url of ["file:a.db", "file:/abs/a.db?mode=ro", "libsql://db.example.com", "http://127.0.0.1:8080", "https://h", "ws://h", "wss://h:1"]) {
      expect(loadConfig({ flags: { "database.url": url } }).database.url).toBe(url);
    }
    expect(() => loadConfig({ flags: { "database.url": "notaurl" } })).toThrow(/"database.url" \(from flag --database.url\): "notaurl" is not file:PATH/);
    expect(() => loadConfig({ env: { FLYTE_DATABASE_URL: "mysql://h/db" } })).toThrow(/"database.url" \(from environment variable FLYTE_DATABASE_URL\)/);
    expect(() => loadConfig({ file: yamlFile('database:\n  url: "http:nohost"\n') })).toThrow(
      /"database.url" \(from config file .*\): "http:nohost" is not a valid http:\/\/HOST URL/,
    );
    expect(() => loadConfig({ flags: { "database.url": "file:" } })).toThrow(/names no file/);
  });

  test("database.url takes postgres:// and postgresql:// URLs with a host; a bad scheme's message lists them", () => {
    for (const url of ["postgres://u:p@db.example.com:5432/admin?sslmode=require", "postgresql://localhost/flyte"]) {
      expect(loadConfig({ flags: { "database.url": url } }).database.url).toBe(url);
    }
    expect(() => loadConfig({ flags: { "database.url": "mysql://h/db" } })).toThrow(/wss:, postgres: or postgresql: URL/);
    expect(() => loadConfig({ flags: { "database.url": "postgres:///db" } })).toThrow(/"postgres:\/\/\/db" is not a valid postgres:\/\/HOST URL/);
  });

  test("upstream's database.postgres keys build database.url, winning over it", () => {
    const file = yamlFile(
      "database:\n  url: file:ignored.db\n  postgres:\n    host: db.internal\n    port: 5433\n    dbname: flyteadmin\n    username: flyte@admin\n    password: 'p@ss:w/rd %?#'\n",
    );
    const url = loadConfig({ file }).database.url;
    expect(url).toBe("postgres://flyte%40admin:p%40ss%3Aw%2Frd%20%25%3F%23@db.internal:5433/flyteadmin");
    const u = new URL(url);
    expect(decodeURIComponent(u.username)).toBe("flyte@admin");
    expect(decodeURIComponent(u.password)).toBe("p@ss:w/rd %?#");
    expect(loadConfig({ flags: { "database.postgres.host": "h" } }).database.url).toBe("postgres://h:5432/postgres");
    expect(loadConfig({ flags: { "database.postgres.host": "h", "database.postgres.username": "u" } }).database.url).toBe("postgres://u@h:5432/postgres");
    expect(loadConfig({ flags: { "database.postgres.host": "::1" } }).database.url).toBe("postgres://[::1]:5432/postgres");
    expect(() => loadConfig({ flags: { "database.postgres.host": "a b" } })).toThrow(/"database.postgres.host": "a b"/);
  });

  test("environment variables set the postgres keys like any other", () => {
    const c = loadConfig({ env: { FLYTE_DATABASE_POSTGRES_HOST: "pg", FLYTE_DATABASE_POSTGRES_PORT: "6543", FLYTE_DATABASE_POSTGRES_PASSWORD: "123" } });
    expect(c.database.postgres.port).toBe(6543);
    expect(c.database.postgres.password).toBe("123");
    expect(c.database.url).toBe("postgres://:123@pg:6543/postgres");
  });

  test("passwordPath's file is the password, its trailing newline dropped; an unreadable one names the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-pw-"));
    writeFileSync(join(dir, "pw"), "s3cr&t\n");
    const flags = { "database.postgres.host": "h", "database.postgres.username": "u", "database.postgres.password": "ignored" };
    expect(loadConfig({ flags: { ...flags, "database.postgres.passwordPath": join(dir, "pw") } }).database.url).toBe("postgres://u:s3cr%26t@h:5432/postgres");
    const missing = join(dir, "absent");
    let message = "";
    try {
      loadConfig({ flags: { ...flags, "database.postgres.passwordPath": missing } });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toBe(`cannot read the file named by config key "database.postgres.passwordPath": ${missing} (ENOENT)`);
  });

  test("postgres options become query parameters, whitespace- or &-separated", () => {
    const flags = { "database.postgres.host": "h" };
    expect(loadConfig({ flags: { ...flags, "database.postgres.options": "sslmode=disable  connect_timeout=10" } }).database.url).toBe(
      "postgres://h:5432/postgres?sslmode=disable&connect_timeout=10",
    );
    const url = loadConfig({ flags: { ...flags, "database.postgres.options": "sslmode=verify-full&sslrootcert=/etc/ca.pem application_name=a=b" } }).database
      .url;
    expect(Object.fromEntries(new URL(url).searchParams)).toEqual({ sslmode: "verify-full", sslrootcert: "/etc/ca.pem", application_name: "a=b" });
    expect(() => loadConfig({ flags: { ...flags, "database.postgres.options": "sslmode" } })).toThrow(
      /"database.postgres.options": "sslmode" is not key=value/,
    );
  });

  test("database.sqlite.file and database.postgres.host together is an error", () => {
    expect(() => loadConfig({ flags: { "database.sqlite.file": "/tmp/x.db", "database.postgres.host": "h" } })).toThrow(
      "both database.sqlite.file and database.postgres.host are set: pick one",
    );
  });

  test("pool keys have upstream's defaults and are checked", () => {
    const c = loadConfig();
    expect([c.database.maxIdleConnections, c.database.maxOpenConnections, c.database.connMaxLifeTime]).toEqual([10, 100, "1h"]);
    expect([c.database.postgres.host, c.database.postgres.port, c.database.postgres.dbname, c.database.postgres.debug]).toEqual(["", 5432, "postgres", false]);
    expect(() => loadConfig({ flags: { "database.maxOpenConnections": "-1" } })).toThrow(
      /"database.maxOpenConnections" \(from flag --database.maxOpenConnections\)/,
    );
    expect(() => loadConfig({ env: { FLYTE_DATABASE_CONNMAXLIFETIME: "soon" } })).toThrow(/"database.connMaxLifeTime" \(from environment variable/);
    expect(() => loadConfig({ flags: { "database.postgres.port": "0" } })).toThrow(/"database.postgres.port"/);
    expect(configDocs()).toContain('database.postgres.passwordPath\n    default: ""\n    env:     FLYTE_DATABASE_POSTGRES_PASSWORDPATH');
  });

  test("FLYTE_* variables under our sections that name no key are reported, with the near key", () => {
    const warnings: string[] = [];
    loadConfig({
      env: { FLYTE_SERVER_HTTP_PORT: "1", FLYTE_PLATFORM_URL: "x", FLYTEADMIN_DEBUG: "1", FLYTE_LOGGER_LEVEL: "warn" },
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toEqual(["environment variable FLYTE_SERVER_HTTP_PORT names no config key and is ignored (did you mean FLYTE_SERVER_HTTPPORT?)"]);
    expect(strayEnvironment({ FLYTE_TASK_RESOURCES_DEFAULTS_CPUS: "1", FLYTE_QUEUES: "x", FLYTE_NAMESPACE_MAPPING_TEMPLATE: "t" })).toEqual([
      "environment variable FLYTE_QUEUES names no config key and is ignored",
      "environment variable FLYTE_TASK_RESOURCES_DEFAULTS_CPUS names no config key and is ignored (did you mean FLYTE_TASK_RESOURCES_DEFAULTS_CPU?)",
    ]);
  });

  test("config docs lists every key with default and env name", () => {
    const docs = configDocs();
    for (const k of configKeys) {
      expect(docs).toContain(k.key);
      expect(docs).toContain(envName(k.key));
    }
    expect(configKeys.length).toBeGreaterThan(15);
  });
});

test("README's config table is the schema's (bun scripts/readme-config.ts rewrites it)", async () => {
  const readme = await Bun.file(`${import.meta.dir}/../README.md`).text();
  expect(readmeTable(readme)).toBe(configTable());
});
