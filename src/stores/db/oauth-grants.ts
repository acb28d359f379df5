// The OAuth2 server's token marks and device codes: I/O only. Single use rests on the primary key (an
// insert that finds the row already there changes nothing) and on updates conditional on the status
// they were checked against, so racing callers leave exactly one winner.
import { sql } from "drizzle-orm";
import type { DeviceCodeRecord, DevicePoll, OAuthGrantStore } from "../../ports/oauth-grants";
import type { SqlEngine } from "./engine";
import type { SqlRow } from "./raw-sql";
import { oauthDeviceCodes } from "./schema";
import { readerOf } from "./rows";

export interface OAuthGrantStoreOptions {
  /** Expired rows are purged after this many writes (default 200). */
  purgeEvery?: number;
}

const readDeviceRow = readerOf(oauthDeviceCodes);

function deviceFromRow(r: SqlRow): DeviceCodeRecord {
  const row = readDeviceRow(r);
  return {
    deviceCodeHash: row.deviceCodeHash,
    userCode: row.userCode,
    clientId: row.clientId,
    scopes: row.scopes.split(" ").filter(Boolean),
    status: row.status as DeviceCodeRecord["status"],
    subject: row.subject,
    userInfo: row.userInfo === null ? null : (JSON.parse(row.userInfo) as Record<string, unknown>),
    interval: row.interval,
    lastPolledAtMs: row.lastPolledAtMs,
    expiresAt: row.expiresAt,
  };
}

const placeholders = (ids: readonly string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

export function oauthGrantStore(db: SqlEngine, opts: OAuthGrantStoreOptions = {}): OAuthGrantStore {
  const purgeEvery = opts.purgeEvery ?? 200;
  let writes = 0;

  const purgeExpired = async (now: number): Promise<number> => {
    const marks = await db.run(sql`DELETE FROM oauth_token_marks WHERE expires_at < ${now}`);
    const devices = await db.run(sql`DELETE FROM oauth_device_codes WHERE expires_at < ${now}`);
    return marks + devices;
  };

  // Every Nth write also purges, so the tables stay bounded without a timer to stop.
  const wrote = async (now: number) => {
    writes += 1;
    if (writes % purgeEvery === 0) await purgeExpired(now);
  };

  const deviceByUserCode = async (userCode: string) => {
    const rows = await db.all<SqlRow>(sql`SELECT * FROM oauth_device_codes WHERE user_code = ${userCode} LIMIT 1`);
    return rows[0] && deviceFromRow(rows[0]);
  };

  return {
    purgeExpired,

    async markUsed(jti, family, expiresAt, now) {
      const r = await db.run(
        sql`INSERT INTO oauth_token_marks (kind, token_id, family, expires_at) VALUES ('used', ${jti}, ${family}, ${expiresAt}) ON CONFLICT DO NOTHING`,
      );
      await wrote(now);
      return r === 1;
    },

    async revoke(ids, expiresAt, now) {
      for (const id of ids) {
        // A later revocation of the same id keeps the later of the two times.
        await db.run(
          sql`INSERT INTO oauth_token_marks (kind, token_id, family, expires_at) VALUES ('revoked', ${id}, '', ${expiresAt})
              ON CONFLICT (kind, token_id) DO UPDATE SET expires_at = CASE WHEN excluded.expires_at > oauth_token_marks.expires_at THEN excluded.expires_at ELSE oauth_token_marks.expires_at END`,
        );
      }
      await wrote(now);
    },

    async isRevoked(ids) {
      if (ids.length === 0) return false;
      const rows = await db.all<SqlRow>(sql`SELECT 1 FROM oauth_token_marks WHERE kind = 'revoked' AND token_id IN (${placeholders(ids)}) LIMIT 1`);
      return rows.length > 0;
    },

    async createDeviceCode(rec, now) {
      const r = await db.run(
        sql`INSERT INTO oauth_device_codes (device_code_hash, user_code, client_id, scopes, status, subject, user_info, "interval", last_polled_at_ms, expires_at)
            VALUES (${rec.deviceCodeHash}, ${rec.userCode}, ${rec.clientId}, ${rec.scopes.join(" ")}, ${rec.status}, ${rec.subject},
                    ${rec.userInfo === null ? null : JSON.stringify(rec.userInfo)}, ${rec.interval}, ${rec.lastPolledAtMs}, ${rec.expiresAt})
            ON CONFLICT DO NOTHING`,
      );
      await wrote(now);
      return r === 1;
    },

    deviceCodeByUserCode: deviceByUserCode,

    async decideDeviceCode(userCode, decision, now) {
      const r = await db.run(
        sql`UPDATE oauth_device_codes SET status = ${decision.approved ? "approved" : "denied"}, subject = ${decision.subject},
                   user_info = ${decision.userInfo === null ? null : JSON.stringify(decision.userInfo)}
            WHERE user_code = ${userCode} AND status = 'pending' AND expires_at > ${now}`,
      );
      await wrote(now);
      return r === 1;
    },

    async pollDeviceCode(hash, nowMs): Promise<DevicePoll> {
      const rows = await db.all<SqlRow>(sql`SELECT * FROM oauth_device_codes WHERE device_code_hash = ${hash} LIMIT 1`);
      if (!rows[0]) return { outcome: "unknown" };
      const record = deviceFromRow(rows[0]);
      const tooSoon = record.lastPolledAtMs > 0 && nowMs - record.lastPolledAtMs < record.interval * 1000;
      const interval = tooSoon ? record.interval + 5 : record.interval;
      await db.run(sql`UPDATE oauth_device_codes SET last_polled_at_ms = ${nowMs}, "interval" = ${interval} WHERE device_code_hash = ${hash}`);
      await wrote(Math.floor(nowMs / 1000));
      const polled = { ...record, interval, lastPolledAtMs: nowMs };
      return tooSoon ? { outcome: "slow_down", record: polled } : { outcome: "polled", record: polled };
    },

    async redeemDeviceCode(hash) {
      const r = await db.run(sql`UPDATE oauth_device_codes SET status = 'redeemed' WHERE device_code_hash = ${hash} AND status = 'approved'`);
      return r === 1;
    },
  };
}
