// The example's server: flyteadmin-ts with two plugins, an additional service (HelloService) and a
// unary middleware that counts calls and marks every answer with `x-example: 1`.
import type { Interceptor } from "@connectrpc/connect";
import { additionalService, createServer, PluginId, PluginRegistry, type ConfigInput, type Logger, type RunningServer } from "flyteadmin-ts";
import { HelloService } from "./hello-service";

export interface HelloServer {
  server: RunningServer;
  /** Calls the middleware saw, by "/service/method". */
  calls: Map<string, number>;
}

export async function startHelloServer(config: ConfigInput = {}, log?: Logger): Promise<HelloServer> {
  const calls = new Map<string, number>();
  const countAndMark: Interceptor = (next) => async (req) => {
    const method = `/${req.service.typeName}/${req.method.name}`;
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const res = await next(req);
    res.header.set("x-example", "1");
    return res;
  };
  const plugins = new PluginRegistry();
  plugins.register(PluginId.UnaryServiceMiddleware, [countAndMark]);
  plugins.register(PluginId.AdditionalGRPCService, [
    additionalService(HelloService, {
      greet: (req) => ({ greeting: `hello ${req.name || "world"}` }),
    }),
  ]);
  return { server: await createServer({ config, plugins, log }), calls };
}
