// The edge interceptor on its own: a crash in a handler becomes Internal with a generic message (the detail
// goes to the log), the next call still works, and each call is counted with its code and gets a request id.
import { expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { GetVersionResponseSchema } from "../src/gen/flyteidl/admin/version_pb";
import { edgeInterceptor } from "../src/edge/interceptors/edge";
import { Metrics } from "../src/edge/metrics";
import { createLogger } from "../src/kernel/log";
import { notFound } from "../src/kernel/errors";

test("recovery, request ids, metrics and access log", async () => {
  const lines: string[] = [];
  const metrics = new Metrics();
  let calls = 0;
  const transport = createRouterTransport(
    (r) =>
      r.service(AdminService, {
        getVersion() {
          calls++;
          if (calls === 1) throw new TypeError("cannot read properties of undefined");
          return create(GetVersionResponseSchema);
        },
        getProject() {
          throw notFound("project [x] not found");
        },
      }),
    {
      router: {
        interceptors: [
          edgeInterceptor(
            metrics,
            createLogger("info", (l) => lines.push(l)),
            true,
          ),
        ],
      },
    },
  );
  const admin = createClient(AdminService, transport);
  const crash = await admin.getVersion({}).catch((e: unknown) => ConnectError.from(e));
  expect(crash).toBeInstanceOf(ConnectError);
  expect((crash as ConnectError).code).toBe(Code.Internal);
  // The caller gets a generic message with the request id; the thrown text goes to the log only.
  const crashId = (crash as ConnectError).metadata.get("x-request-id");
  expect(crashId).toMatch(/^a-/);
  expect((crash as ConnectError).rawMessage).toBe(`internal error (request id ${crashId})`);

  let header: Headers | undefined;
  await admin.getVersion({}, { headers: { "x-request-id": "mine" }, onHeader: (h) => (header = h) });
  expect(header?.get("x-request-id")).toBe("mine");
  const nf = await admin.getProject({ id: "x" }).catch((e: unknown) => ConnectError.from(e));
  expect((nf as ConnectError).code).toBe(Code.NotFound);

  const text = metrics.render();
  expect(text).toContain('flyteadmin_rpc_calls_total{method="/flyteidl.service.AdminService/GetVersion",code="Internal"} 1');
  expect(text).toContain('flyteadmin_rpc_calls_total{method="/flyteidl.service.AdminService/GetVersion",code="OK"} 1');
  expect(text).toContain('code="NotFound"');
  const access = lines.map((l) => JSON.parse(l) as { msg: string; code?: string; request_id?: string }).filter((l) => l.msg === "call");
  expect(access.map((l) => l.code)).toEqual(["Internal", "OK", "NotFound"]);
  expect(access[1].request_id).toBe("mine");
  const failed = lines.map((l) => JSON.parse(l) as { msg: string; error?: string; request_id?: string }).find((l) => l.msg === "call failed");
  expect(failed).toMatchObject({ error: "cannot read properties of undefined", request_id: crashId });
});
