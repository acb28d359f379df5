// Baseline for scripts/bench-edge.ts: the same listener and Connect adapter as the server, with a
// GetVersion that does nothing, so the ratio shows what our stack adds per call.
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { GetVersionResponseSchema } from "../src/gen/flyteidl/admin/version_pb";
import { listen, type RequestHandler } from "../src/edge/listen";

const handler = connectNodeAdapter({
  routes: (r) => r.service(AdminService, { getVersion: () => create(GetVersionResponseSchema) }),
}) as RequestHandler;
const l = await listen({ host: "127.0.0.1", ports: [0], handler });
console.log(JSON.stringify({ msg: "serving", ports: [l.ports[0], l.ports[0]] }));
process.on("SIGTERM", () => l.close(100).then(() => process.exit(0)));
