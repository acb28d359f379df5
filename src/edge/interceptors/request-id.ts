// Takes `x-request-id` from the caller or makes one ("a-" + 20 random characters, as upstream), puts it
// in the call's context for logs, and returns it in the response headers (and error metadata).
import { ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { randomString } from "../../random";

export const requestIdKey = createContextKey<string>("", { description: "request id" });
const header = "x-request-id";

export const requestIdInterceptor: Interceptor = (next) => async (req) => {
  const id = req.header.get(header) || `a-${randomString(20)}`;
  req.contextValues.set(requestIdKey, id);
  try {
    const res = await next(req);
    res.header.set(header, id);
    return res;
  } catch (e) {
    const err = ConnectError.from(e);
    err.metadata.set(header, id);
    throw err;
  }
};
