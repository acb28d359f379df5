// A minimal native gRPC client for load generation: unary calls over one HTTP/2 connection, protobuf
// bodies, the status read from trailers (or a trailers-only answer). Propeller's Go client costs little
// per call; Connect's client costs ~150 µs of CPU here, which on a 2-core machine would have the load
// generator take the cores the server is being measured on.
import http2 from "node:http2";
import { fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";

export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`gRPC status ${code}: ${message}`);
  }
}

type UnaryMethods<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends DescMethod & { methodKind: "unary"; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (req: MessageInitShape<I>) => Promise<MessageShape<O>>
    : never;
};

export interface LeanClient<S extends DescService> {
  client: UnaryMethods<S>;
  close(): void;
}

/** `headers`: more request headers on every call (e.g. authorization). */
export function leanGrpcClient<S extends DescService>(service: S, baseUrl: string, headers: Record<string, string> = {}): LeanClient<S> {
  const session = http2.connect(baseUrl);
  session.on("error", () => {});
  const call = (method: DescMethod & { input: DescMessage; output: DescMessage }, init: object) =>
    new Promise<unknown>((resolve, reject) => {
      const bytes = toBinary(method.input, create(method.input, init as never));
      const frame = Buffer.allocUnsafe(5 + bytes.length);
      frame[0] = 0;
      frame.writeUInt32BE(bytes.length, 1);
      frame.set(bytes, 5);
      const stream = session.request({
        ":method": "POST",
        ":path": `/${service.typeName}/${method.name}`,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = "";
      const take = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] !== undefined) {
          status = String(h["grpc-status"]);
          message = decodeURIComponent(String(h["grpc-message"] ?? ""));
        }
      };
      stream.on("response", take);
      stream.on("trailers", take);
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", reject);
      stream.on("close", () => {
        if (status === undefined) return reject(new GrpcStatusError(2, "no grpc-status"));
        if (status !== "0") return reject(new GrpcStatusError(Number(status), message));
        const body = Buffer.concat(chunks);
        if (body.length < 5) return reject(new GrpcStatusError(13, "missing response message"));
        resolve(fromBinary(method.output, body.subarray(5, 5 + body.readUInt32BE(1))));
      });
      stream.end(frame);
    });
  const client = Object.fromEntries(
    service.methods
      .filter((m) => m.methodKind === "unary")
      .map((m) => [m.localName, (req: object) => call(m as DescMethod & { input: DescMessage; output: DescMessage }, req)]),
  ) as UnaryMethods<S>;
  return { client, close: () => session.close() };
}
