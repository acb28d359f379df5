// The listener's limits as the server configuration states them.
import type { Config } from "../config/schema";
import { parseGoDuration } from "../kernel/duration";
import type { EdgeTimeouts } from "./conn-timeouts";

/** Durations are validated by the schema; "0s" turns a limit off. */
export function edgeTimeouts(server: Config["server"]): EdgeTimeouts {
  const ms = (d: string) => parseGoDuration(d) ?? 0;
  return {
    headersMs: server.readHeaderTimeoutSeconds * 1000,
    requestMs: ms(server.timeouts.request),
    idleMs: ms(server.timeouts.idle),
    pingMs: ms(server.timeouts.ping),
    pingAckMs: ms(server.timeouts.pingAck),
  };
}
