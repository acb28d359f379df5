// Innermost interceptor: whatever a handler throws (our AdminError, a bug, a driver error) leaves as a
// ConnectError with a code and a message, so the server keeps serving and every protocol answers alike.
import { Code, type Interceptor } from "@connectrpc/connect";
import { toConnectError } from "../../errors";
import type { Logger } from "../../log";

async function* mapStreamErrors<T>(it: AsyncIterable<T>, onError: (e: unknown) => Error): AsyncIterable<T> {
  try {
    yield* it;
  } catch (e) {
    throw onError(e);
  }
}

export function recoveryInterceptor(log: Logger): Interceptor {
  const convert = (method: string) => (e: unknown) => {
    const err = toConnectError(e);
    if (err.code === Code.Internal) log.error("call failed", { method, error: err.rawMessage, stack: (e as Error)?.stack });
    return err;
  };
  return (next) => async (req) => {
    const onError = convert(req.url);
    try {
      const res = await next(req);
      if (res.stream) return { ...res, message: mapStreamErrors(res.message, onError) };
      return res;
    } catch (e) {
      throw onError(e);
    }
  };
}
