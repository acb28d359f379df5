// Access log and per-method metrics: one JSON line and one observation per finished call, with the
// final gRPC code. Sits outside recovery so it sees the code the client sees.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../../log";
import type { Metrics } from "../metrics";
import { requestIdKey } from "./request-id";

function codeName(code: Code | undefined): string {
  return code === undefined ? "OK" : (Code[code] ?? String(code));
}

export function observeInterceptor(metrics: Metrics, log: Logger, accessLog: boolean): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const method = `/${req.service.typeName}/${req.method.name}`;
    const finish = (code: Code | undefined, err?: ConnectError) => {
      const seconds = (performance.now() - started) / 1000;
      metrics.observe(method, codeName(code), seconds);
      if (accessLog) {
        log.info("call", {
          method,
          code: codeName(code),
          duration_ms: Math.round(seconds * 1e4) / 10,
          request_id: req.contextValues.get(requestIdKey),
          ...(err && { error: err.rawMessage }),
        });
      }
    };
    try {
      const res = await next(req);
      if (!res.stream) {
        finish(undefined);
        return res;
      }
      // Streams finish when their last message has been sent.
      const inner = res.message;
      async function* watched() {
        try {
          yield* inner;
          finish(undefined);
        } catch (e) {
          const err = ConnectError.from(e);
          finish(err.code, err);
          throw e;
        }
      }
      return { ...res, message: watched() };
    } catch (e) {
      const err = ConnectError.from(e);
      finish(err.code, err);
      throw e;
    }
  };
}
