// Task execution rows: I/O only.
import { sql, type SQL } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { taskExecutions } from "./schema";
import { dbError, isUniqueViolation } from "./errors";
import { TableWriter, type SqlRow } from "./raw-sql";
import { bytes, readerOf } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import { pageSql } from "./versioned";
import type { Filter } from "../../kernel/lists/filters";
import type { TaskExecutionKey, TaskExecutionPatch, TaskExecutionRecord, TaskExecutionStore } from "../../ports/taskexecutions";
import { StaleRecord } from "../../ports/executions";

function fromRow(r: typeof taskExecutions.$inferSelect, hasChildren: boolean): TaskExecutionRecord {
  return {
    id: r.id,
    task: { project: r.project, domain: r.domain, name: r.name, version: r.version },
    node: { project: r.executionProject, domain: r.executionDomain, name: r.executionName, nodeId: r.nodeId },
    retryAttempt: r.retryAttempt,
    phase: r.phase,
    phaseVersion: r.phaseVersion,
    inputUri: r.inputUri,
    closure: bytes(r.closure),
    startedAt: r.startedAt,
    createdAt: r.taskExecutionCreatedAt ?? r.createdAt,
    updatedAt: r.taskExecutionUpdatedAt ?? r.updatedAt,
    duration: r.duration,
    hasChildren,
  };
}

/** A row read by hand-written SQL: `task_executions.*`, and `has_children` where it is selected. */
const readRow = readerOf(taskExecutions);
const fromSql = (r: SqlRow) => fromRow(readRow(r), Boolean(r.has_children));

const selectSql = sql.raw(
  "SELECT task_executions.*, EXISTS (SELECT 1 FROM node_executions AS c WHERE c.parent_task_execution_id = task_executions.id) AS has_children FROM task_executions",
);

function toValues(p: TaskExecutionPatch) {
  return {
    phase: p.phase,
    phaseVersion: p.phaseVersion,
    inputUri: p.inputUri,
    startedAt: p.startedAt,
    duration: p.duration,
    closure: p.closure,
    taskExecutionCreatedAt: p.createdAt || undefined,
    taskExecutionUpdatedAt: p.updatedAt || undefined,
  };
}

const keyOf = (k: TaskExecutionKey) => ({
  project: k.task.project,
  domain: k.task.domain,
  name: k.task.name,
  version: k.task.version,
  executionProject: k.node.project,
  executionDomain: k.node.domain,
  executionName: k.node.name,
  nodeId: k.node.nodeId,
  retryAttempt: k.retryAttempt,
});
const writer = new TableWriter(taskExecutions);

// The event path's one read: the execution's cluster, whether the node exists, and the attempt's row.
const withExecutionSql = `SELECT executions.cluster AS execution_cluster,
    EXISTS (SELECT 1 FROM node_executions WHERE node_executions.execution_project = ?1 AND node_executions.execution_domain = ?2 AND node_executions.execution_name = ?3 AND node_executions.node_id = ?4) AS node_exists,
    task_executions.*
  FROM executions LEFT JOIN task_executions ON task_executions.execution_project = executions.execution_project AND task_executions.execution_domain = executions.execution_domain AND task_executions.execution_name = executions.execution_name
    AND task_executions.project = ?5 AND task_executions.domain = ?6 AND task_executions.name = ?7 AND task_executions.version = ?8
    AND task_executions.node_id = ?4 AND task_executions.retry_attempt = ?9
  WHERE executions.execution_project = ?1 AND executions.execution_domain = ?2 AND executions.execution_name = ?3 LIMIT 1`;

const joinOn: Partial<Record<Filter["entity"], string>> = {
  task: " LEFT JOIN tasks ON task_executions.project = tasks.project AND task_executions.domain = tasks.domain AND task_executions.name = tasks.name AND task_executions.version = tasks.version",
  node_execution:
    " INNER JOIN node_executions ON task_executions.execution_project = node_executions.execution_project AND task_executions.execution_domain = node_executions.execution_domain AND task_executions.execution_name = node_executions.execution_name AND task_executions.node_id = node_executions.node_id",
  execution:
    " INNER JOIN executions ON task_executions.execution_project = executions.execution_project AND task_executions.execution_domain = executions.execution_domain AND task_executions.execution_name = executions.execution_name",
};
const tables: Partial<Record<Filter["entity"], string>> = { task: "tasks", node_execution: "node_executions", execution: "executions" };

export function taskExecutionStore(db: SqlEngine): TaskExecutionStore {
  return {
    async create(r) {
      const now = new Date().toISOString();
      try {
        await writer.insert(db, { ...keyOf(r), ...toValues(r), createdAt: now, updatedAt: now });
      } catch (e) {
        // Callers read before they create, so a taken key means a concurrent create won.
        if (isUniqueViolation(e)) throw new StaleRecord(`task execution attempt ${r.retryAttempt} of ${r.node.nodeId} was created since it was read`);
        throw dbError(e, "task_executions_pkey");
      }
    },

    async get(key) {
      const t = key.task;
      const n = key.node;
      const rows = await db.all<SqlRow>(
        sql`${selectSql} WHERE task_executions.project = ${t.project} AND task_executions.domain = ${t.domain} AND task_executions.name = ${t.name} AND task_executions.version = ${t.version} AND task_executions.execution_project = ${n.project} AND task_executions.execution_domain = ${n.domain} AND task_executions.execution_name = ${n.name} AND task_executions.node_id = ${n.nodeId} AND task_executions.retry_attempt = ${key.retryAttempt} LIMIT 1`,
      );
      return rows[0] && fromSql(rows[0]);
    },

    async update(key, patch, readFrom) {
      const values = { ...toValues(patch), updatedAt: new Date().toISOString() };
      const where = readFrom
        ? { ...keyOf(key), phase: readFrom.phase, phaseVersion: readFrom.phaseVersion, ...(readFrom.closure.length > 0 ? { closure: readFrom.closure } : {}) }
        : keyOf(key);
      // One conditional statement: group commit runs it after every update queued before it.
      if ((await writer.update(db, values, where)) === 0 && readFrom) throw new StaleRecord(`task execution of ${key.node.nodeId} changed since it was read`);
    },

    async withExecution(key) {
      const t = key.task;
      const n = key.node;
      const rows = await db.query(withExecutionSql, [n.project, n.domain, n.name, n.nodeId, t.project, t.domain, t.name, t.version, key.retryAttempt]);
      const r = rows[0];
      if (!r) return undefined;
      return {
        cluster: String(r.execution_cluster ?? ""),
        nodeExists: Boolean(r.node_exists),
        task: r.id === null || r.id === undefined ? undefined : fromSql(r),
      };
    },

    async list(q) {
      const where = whereSql(q.filters, (f) => tables[f.entity] ?? "task_executions");
      const joinSql: SQL[] = [...new Set(q.filters.map((f) => f.entity))].flatMap((e) => (joinOn[e] ? [sql.raw(joinOn[e])] : []));
      const order = q.order ? sql` ORDER BY ${orderSql(q.order, "task_executions")}` : sql``;
      const rows = await db.all<SqlRow>(
        sql`${selectSql}${sql.join(joinSql, sql``)}${where ? sql` WHERE ${where}` : sql``}${order}${pageSql({ ...q, order: undefined })}`,
      );
      return rows.map(fromSql);
    },
  };
}
