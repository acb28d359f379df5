// Run by edge-fds.test.ts under a low open-file limit: a bare listener whose connection budget is
// lifted, so accepting really runs into EMFILE and only the descriptor probe can pause it.
import { listen } from "../src/edge/listen";
import { createLogger } from "../src/kernel/log";

const log = createLogger("info");
const listeners = await listen({
  host: "127.0.0.1",
  ports: [0],
  handler: (_req, res) => res.end("ok"),
  log,
  admission: { budget: Number.POSITIVE_INFINITY, logEveryMs: 1000 },
});
log.info("serving", { ports: listeners.ports });
process.once("SIGTERM", () => void listeners.close(100).then(() => process.exit(0)));
