// The OAuth grant store over libSQL (a database file, migrated): racing redemptions leave one winner,
// revocations are found, device decisions and redemptions happen once, and expired rows are purged,
// on demand and every Nth write, so the tables stay bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeviceCodeRecord, OAuthGrantStore } from "../../src/ports/oauth-grants";
import { type Database, openDatabase } from "../../src/stores/db/client";
import { migrateUp } from "../../src/stores/db/migrate";
import { oauthGrantStore } from "../../src/stores/db/oauth-grants";

const count = async (db: Database, table: string) => Number((await db.db.query(`SELECT COUNT(*) AS n FROM ${table}`, []))[0]?.n);

const device = (over: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord => ({
  deviceCodeHash: crypto.randomUUID(),
  userCode: crypto.randomUUID().slice(0, 8).toUpperCase(),
  clientId: "flytectl",
  scopes: ["all", "offline"],
  status: "pending",
  subject: "",
  userInfo: null,
  interval: 5,
  lastPolledAtMs: 0,
  expiresAt: 2000,
  ...over,
});

describe("OAuth grant store (libSQL)", () => {
  let db: Database;
  let store: OAuthGrantStore;
  beforeAll(async () => {
    db = await openDatabase({ url: `file:${join(mkdtempSync(join(tmpdir(), "flyteadmin-grants-")), "g.db")}` });
    await migrateUp(db.db);
    store = oauthGrantStore(db.db, { purgeEvery: 1_000_000 });
  });
  afterAll(() => db.close());

  test("markUsed: of racing redemptions exactly one wins; a later one loses too", async () => {
    const jti = crypto.randomUUID();
    const wins = await Promise.all(Array.from({ length: 20 }, () => store.markUsed(jti, "fam", 2000, 1000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.markUsed(jti, "fam", 2000, 1000)).toBe(false);
    expect(await store.markUsed(crypto.randomUUID(), "fam", 2000, 1000)).toBe(true);
  });

  test("revoke and isRevoked; a used mark is not a revocation", async () => {
    const used = crypto.randomUUID();
    await store.markUsed(used, "f", 2000, 1000);
    expect(await store.isRevoked([used])).toBe(false);
    await store.revoke(["fam-1", "tok-1"], 2000, 1000);
    await store.revoke(["fam-1"], 1500, 1000);
    expect(await store.isRevoked(["x", "fam-1"])).toBe(true);
    expect(await store.isRevoked(["tok-1"])).toBe(true);
    expect(await store.isRevoked(["x", "y"])).toBe(false);
    expect(await store.isRevoked([])).toBe(false);
    // The later expiry of the two revocations is kept.
    const rows = await db.db.query("SELECT expires_at FROM oauth_token_marks WHERE kind = 'revoked' AND token_id = 'fam-1'", []);
    expect(Number(rows[0]?.expires_at)).toBe(2000);
  });

  test("device codes: unique user code, one decision, polling intervals, one redemption under a race", async () => {
    const rec = device();
    expect(await store.createDeviceCode(rec, 1000)).toBe(true);
    expect(await store.createDeviceCode(device({ userCode: rec.userCode }), 1000)).toBe(false);
    expect(await store.deviceCodeByUserCode(rec.userCode)).toEqual(rec);

    expect((await store.pollDeviceCode(rec.deviceCodeHash, 1_000_000)).outcome).toBe("polled");
    const fast = await store.pollDeviceCode(rec.deviceCodeHash, 1_002_000);
    expect(fast.outcome).toBe("slow_down");
    if (fast.outcome !== "slow_down") throw new Error("unreachable");
    expect(fast.record.interval).toBe(10);
    expect((await store.pollDeviceCode(rec.deviceCodeHash, 1_011_000)).outcome).toBe("slow_down");
    expect((await store.pollDeviceCode(rec.deviceCodeHash, 1_030_000)).outcome).toBe("polled");
    expect((await store.pollDeviceCode("unknown", 1)).outcome).toBe("unknown");

    expect(await store.redeemDeviceCode(rec.deviceCodeHash)).toBe(false);
    const info = { subject: "alice" };
    expect(await store.decideDeviceCode(rec.userCode, { approved: true, subject: "alice", userInfo: info }, 1000)).toBe(true);
    expect(await store.decideDeviceCode(rec.userCode, { approved: false, subject: "mallory", userInfo: null }, 1000)).toBe(false);
    expect(await store.deviceCodeByUserCode(rec.userCode)).toMatchObject({ status: "approved", subject: "alice", userInfo: info });
    const redeemed = await Promise.all(Array.from({ length: 10 }, () => store.redeemDeviceCode(rec.deviceCodeHash)));
    expect(redeemed.filter(Boolean)).toHaveLength(1);

    const late = device();
    await store.createDeviceCode(late, 1000);
    expect(await store.decideDeviceCode(late.userCode, { approved: true, subject: "a", userInfo: null }, 2000)).toBe(false);
  });

  test("purgeExpired removes only rows whose time has passed", async () => {
    const before = (await count(db, "oauth_token_marks")) + (await count(db, "oauth_device_codes"));
    await store.markUsed(crypto.randomUUID(), "f", 50, 10);
    await store.revoke(["old"], 60, 10);
    await store.createDeviceCode(device({ expiresAt: 70 }), 10);
    expect(await store.purgeExpired(100)).toBe(3);
    expect((await count(db, "oauth_token_marks")) + (await count(db, "oauth_device_codes"))).toBe(before);
    expect(await store.isRevoked(["old"])).toBe(false);
  });

  test("every Nth write purges, so the table stays bounded without a timer", async () => {
    const small = oauthGrantStore(db.db, { purgeEvery: 10 });
    await small.purgeExpired(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 95; i++) await small.markUsed(crypto.randomUUID(), "f", 1000 + i, 1000 + i);
    // Each purge runs at its write's time: what stays is the rows written since the last purge, not all 95.
    expect(await count(db, "oauth_token_marks")).toBeLessThanOrEqual(10);
  });
});
