// Node execution rows and their event history: I/O only.
import { sql, type SQL } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { nodeExecutions } from "./schema";
import { EventHistory } from "./event-history";
import { dbError, isUniqueViolation } from "./errors";
import { TableWriter, type SqlRow } from "./raw-sql";
import { bytes, readerOf } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import { pageSql } from "./versioned";
import type { Filter } from "../../kernel/lists/filters";
import type { NodeExecutionKey, NodeExecutionPatch, NodeExecutionRecord, NodeExecutionStore } from "../../ports/nodeexecutions";
import { StaleRecord } from "../../ports/executions";

function fromRow(r: typeof nodeExecutions.$inferSelect, hasChildren: boolean): NodeExecutionRecord {
  const internal = r.internalData ? (JSON.parse(r.internalData.toString()) as { eventVersion?: number }) : {};
  return {
    id: r.id,
    project: r.executionProject,
    domain: r.executionDomain,
    name: r.executionName,
    nodeId: r.nodeId,
    phase: r.phase,
    inputUri: r.inputUri,
    closure: bytes(r.closure),
    startedAt: r.startedAt,
    createdAt: r.nodeExecutionCreatedAt ?? r.createdAt,
    updatedAt: r.nodeExecutionUpdatedAt ?? r.updatedAt,
    duration: r.duration,
    metadata: bytes(r.nodeExecutionMetadata),
    parentId: r.parentId,
    parentTaskExecutionId: r.parentTaskExecutionId,
    errorKind: r.errorKind,
    errorCode: r.errorCode,
    cacheStatus: r.cacheStatus,
    dynamicWorkflowRemoteClosureReference: r.dynamicWorkflowRemoteClosureReference,
    eventVersion: internal.eventVersion ?? 0,
    hasChildren,
  };
}

/** A row read by hand-written SQL: `node_executions.*`, and `has_children` where it is selected. */
const readRow = readerOf(nodeExecutions);
const fromSql = (r: SqlRow) => fromRow(readRow(r), Boolean(r.has_children));

function toValues(p: NodeExecutionPatch) {
  return {
    phase: p.phase,
    inputUri: p.inputUri,
    startedAt: p.startedAt,
    duration: p.duration,
    parentId: p.parentId,
    parentTaskExecutionId: p.parentTaskExecutionId,
    errorKind: p.errorKind,
    errorCode: p.errorCode,
    cacheStatus: p.cacheStatus,
    dynamicWorkflowRemoteClosureReference: p.dynamicWorkflowRemoteClosureReference,
    closure: p.closure,
    nodeExecutionMetadata: p.metadata,
    nodeExecutionCreatedAt: p.createdAt || undefined,
    nodeExecutionUpdatedAt: p.updatedAt || undefined,
    internalData: p.eventVersion !== undefined ? Buffer.from(JSON.stringify({ eventVersion: p.eventVersion })) : undefined,
  };
}

const keyOf = (k: NodeExecutionKey) => ({ executionProject: k.project, executionDomain: k.domain, executionName: k.name, nodeId: k.nodeId });
const writer = new TableWriter(nodeExecutions);

// The event path's one read: the execution's cluster (or its absence) and the node row, if any.
const withExecutionSql =
  "SELECT executions.cluster AS execution_cluster, node_executions.* FROM executions LEFT JOIN node_executions ON node_executions.execution_project = executions.execution_project AND node_executions.execution_domain = executions.execution_domain AND node_executions.execution_name = executions.execution_name AND node_executions.node_id = ? WHERE executions.execution_project = ? AND executions.execution_domain = ? AND executions.execution_name = ? LIMIT 1";
const getSql =
  "SELECT node_executions.*, EXISTS (SELECT 1 FROM node_executions AS c WHERE c.parent_id = node_executions.id) AS has_children FROM node_executions WHERE node_executions.execution_project = ? AND node_executions.execution_domain = ? AND node_executions.execution_name = ? AND node_executions.node_id = ? LIMIT 1";

const selectSql = sql.raw(
  "SELECT node_executions.*, EXISTS (SELECT 1 FROM node_executions AS c WHERE c.parent_id = node_executions.id) AS has_children FROM node_executions",
);

function joins(filters: Filter[]): SQL {
  if (!filters.some((f) => f.entity === "execution")) return sql``;
  return sql.raw(
    " INNER JOIN executions ON node_executions.execution_project = executions.execution_project AND node_executions.execution_domain = executions.execution_domain AND node_executions.execution_name = executions.execution_name",
  );
}
const tableOf = (f: Filter) => (f.entity === "execution" ? "executions" : "node_executions");

export function nodeExecutionStore(db: SqlEngine): NodeExecutionStore {
  const history = new EventHistory(db, "node_execution_events");
  return {
    async create(r) {
      const now = new Date().toISOString();
      try {
        await writer.insert(db, { ...keyOf(r), ...toValues(r), createdAt: now, updatedAt: now });
      } catch (e) {
        // Callers read before they create, so a taken key means a concurrent create won.
        if (isUniqueViolation(e)) throw new StaleRecord(`node execution ${r.nodeId} was created since it was read`);
        throw dbError(e, "node_executions_pkey");
      }
    },

    async get(key) {
      const [r] = await db.query(getSql, [key.project, key.domain, key.name, key.nodeId]);
      return r && fromSql(r);
    },

    async update(key, patch, readFrom) {
      const values = { ...toValues(patch), updatedAt: new Date().toISOString() };
      const where = readFrom ? { ...keyOf(key), phase: readFrom.phase, ...(readFrom.closure.length > 0 ? { closure: readFrom.closure } : {}) } : keyOf(key);
      // One conditional statement: group commit runs it after every update queued before it.
      if ((await writer.update(db, values, where)) === 0 && readFrom) throw new StaleRecord(`node execution ${key.nodeId} changed since it was read`);
    },

    async list(q) {
      const where = whereSql(q.filters, tableOf);
      const conditions = [where, q.topLevel ? sql`node_executions.parent_id IS NULL AND node_executions.parent_task_execution_id IS NULL` : undefined].filter(
        (c): c is SQL => c !== undefined,
      );
      const order = q.order ? sql` ORDER BY ${orderSql(q.order, "node_executions")}` : sql``;
      const rows = await db.all<SqlRow>(
        sql`${selectSql}${joins(q.filters)}${conditions.length ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``}${order}${pageSql({ ...q, order: undefined })}`,
      );
      return rows.map(fromSql);
    },

    recordEvent: (key, e) => history.record({ ...key, ...e }),

    async withExecution(key) {
      const [r] = await db.query(withExecutionSql, [key.nodeId, key.project, key.domain, key.name]);
      if (!r) return undefined;
      return { cluster: String(r.execution_cluster ?? ""), node: r.id === null || r.id === undefined ? undefined : fromSql(r) };
    },
  };
}
