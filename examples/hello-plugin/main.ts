// bun examples/hello-plugin/main.ts: serves flyteadmin with the hello plugins on :8088 and :8089, then
//   node_modules/.bin/buf curl --http2-prior-knowledge --protocol grpc --reflect -d '{"name": "flyte"}' \
//     http://localhost:8089/example.hello.v1.HelloService/Greet
import { startHelloServer } from "./server";

const { server } = await startHelloServer();
const stop = () => {
  server.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
