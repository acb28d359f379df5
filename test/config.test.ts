// Config: defaults serve, file < env < flags, unknown and ill-typed keys name the key and the source.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configDocs, loadConfig, strayEnvironment } from "../src/config/load";
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
    expect(() => loadConfig({ env: { FLYTE_DATABASE_URL: "postgres://h/db" } })).toThrow(/"database.url" \(from environment variable FLYTE_DATABASE_URL\)/);
    expect(() => loadConfig({ file: yamlFile('database:\n  url: "http:nohost"\n') })).toThrow(
      /"database.url" \(from config file .*\): "http:nohost" is not a valid http:\/\/HOST URL/,
    );
    expect(() => loadConfig({ flags: { "database.url": "file:" } })).toThrow(/names no file/);
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
