// Baseline for scripts/bench-edge.ts: the same listener and handlers as the server (the lean native gRPC
// unary path in front of the Connect adapter), with a GetVersion that does nothing and no interceptors,
// so the ratio shows what our stack adds per call.
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { GetVersionResponseSchema } from "../src/gen/flyteidl/admin/version_pb";
import { grpcUnaryHandler } from "../src/edge/grpc-unary";
import { listen, type RequestHandler } from "../src/edge/listen";

const routes = (r: ConnectRouter) => r.service(AdminService, { getVersion: () => create(GetVersionResponseSchema) });
const connect = connectNodeAdapter({ routes }) as RequestHandler;
const grpcUnary = grpcUnaryHandler(routes, { interceptors: [], readMaxBytes: 4 << 20, writeMaxBytes: 4 << 20 });
const handler: RequestHandler = (req, res) => {
  if (!grpcUnary(req, res)) connect(req, res);
};
const l = await listen({ host: "127.0.0.1", ports: [0], handler });
console.log(JSON.stringify({ msg: "serving", ports: [l.ports[0], l.ports[0]] }));
process.on("SIGTERM", () => l.close(100).then(() => process.exit(0)));
