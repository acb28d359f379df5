// The write-only event history tables (execution_events, node_execution_events), written in batches:
// rows queue up and go in as one multi-row insert per turn of the event loop, as upstream's buffered
// event writer does. A repeated phase is ignored.
import type { SqlEngine } from "./engine";

type Row = { project: string; domain: string; name: string; nodeId?: string; phase: string; requestId: string; occurredAt: string };

export class EventHistory {
  private queue: Array<{ row: Row; done: (e?: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly db: SqlEngine,
    private readonly table: "execution_events" | "node_execution_events",
  ) {}

  record(row: Row): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, 500);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(() => void this.flush());
    const now = new Date().toISOString();
    const node = this.table === "node_execution_events";
    const columns = node
      ? "(execution_project, execution_domain, execution_name, node_id, phase, request_id, occurred_at, created_at, updated_at)"
      : "(execution_project, execution_domain, execution_name, phase, request_id, occurred_at, created_at, updated_at)";
    const tuple = node ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?)";
    const args = batch.flatMap(({ row: r }) =>
      node
        ? [r.project, r.domain, r.name, r.nodeId ?? "", r.phase, r.requestId, r.occurredAt, now, now]
        : [r.project, r.domain, r.name, r.phase, r.requestId, r.occurredAt, now, now],
    );
    const text = `INSERT INTO ${this.table} ${columns} VALUES ${batch.map(() => tuple).join(", ")} ON CONFLICT DO NOTHING`;
    try {
      await this.db.exec(text, args);
      for (const b of batch) b.done();
    } catch (e) {
      for (const b of batch) b.done(e);
    }
  }
}
