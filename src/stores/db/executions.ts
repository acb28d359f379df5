// Execution rows and their tags: I/O only. Lists join launch plans, workflows, tasks and tags only when
// a filter names them, as upstream does.
import { sql, type SQL } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { executions, executionTags } from "./schema";
import { EventHistory } from "./event-history";
import { dbError, isUniqueViolation } from "./errors";
import { TableWriter, type SqlRow } from "./raw-sql";
import { bytes, readerOf } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import { pageSql } from "./versioned";
import type { Filter } from "../../kernel/lists/filters";
import type { ListQuery } from "../../ports/common";
import { StaleRecord, type ExecutionKey, type ExecutionRecord, type ExecutionStore } from "../../ports/executions";

type Row = typeof executions.$inferSelect;

function fromRow(r: Row): ExecutionRecord {
  return {
    id: r.id,
    project: r.executionProject,
    domain: r.executionDomain,
    name: r.executionName,
    launchPlanId: r.launchPlanId,
    workflowId: r.workflowId,
    taskId: r.taskId,
    phase: r.phase,
    spec: bytes(r.spec),
    closure: bytes(r.closure),
    startedAt: r.startedAt,
    executionCreatedAt: r.executionCreatedAt ?? r.createdAt,
    executionUpdatedAt: r.executionUpdatedAt ?? r.updatedAt,
    duration: r.duration,
    abortCause: r.abortCause,
    mode: r.mode,
    sourceExecutionId: r.sourceExecutionId,
    parentNodeExecutionId: r.parentNodeExecutionId,
    cluster: r.cluster,
    inputsUri: r.inputsUri,
    userInputsUri: r.userInputsUri,
    errorKind: r.errorKind,
    errorCode: r.errorCode,
    user: r.user,
    state: r.state,
    launchEntity: r.launchEntity === "task" ? "task" : "launch_plan",
  };
}

/** A row read by hand-written SQL (`executions.*`). */
const readRow = readerOf(executions);
const fromSqlRow = (r: SqlRow) => fromRow(readRow(r));

const keyOf = (k: ExecutionKey) => ({ executionProject: k.project, executionDomain: k.domain, executionName: k.name });
const writer = new TableWriter(executions);
const getSql = "SELECT * FROM executions WHERE execution_project = ? AND execution_domain = ? AND execution_name = ? LIMIT 1";
const tagsSql = "SELECT key, value FROM execution_tags WHERE execution_project = ? AND execution_domain = ? AND execution_name = ?";
const byIdSql = "SELECT * FROM executions WHERE id = ? LIMIT 1";
const tagWriter = new TableWriter(executionTags);
const clusterSql = "SELECT cluster FROM executions WHERE execution_project = ? AND execution_domain = ? AND execution_name = ? LIMIT 1";

const joinTable: Partial<Record<Filter["entity"], { table: string; on: string }>> = {
  launch_plan: { table: "launch_plans", on: "executions.launch_plan_id = launch_plans.id" },
  workflow: { table: "workflows", on: "executions.workflow_id = workflows.id" },
  task: { table: "tasks", on: "executions.task_id = tasks.id" },
  execution_tag: {
    table: "execution_tags",
    on: "executions.execution_project = execution_tags.execution_project AND executions.execution_domain = execution_tags.execution_domain AND executions.execution_name = execution_tags.execution_name",
  },
};

function fromClause(filters: Filter[]): SQL {
  const joins = [...new Set(filters.map((f) => f.entity))].flatMap((e) => {
    const j = joinTable[e];
    return j ? [sql.raw(` INNER JOIN ${j.table} ON ${j.on}`)] : [];
  });
  return sql`FROM executions${sql.join(joins, sql``)}`;
}

// Upstream inserts the tag rows before the execution row, so a duplicate whose tags (key, value) are
// already stored for that name fails on the tags' primary key; which one a client sees is in the message.
async function tagTaken(
  db: SqlEngine,
  e: { project: string; domain: string; name: string },
  tags: readonly { key: string; value: string }[],
): Promise<boolean> {
  if (tags.length === 0) return false;
  const rows = await db.query(tagsSql, [e.project, e.domain, e.name]);
  return rows.some((r) => tags.some((t) => t.key === r.key && t.value === r.value));
}

const tableOf = (f: Filter) => joinTable[f.entity]?.table ?? "executions";

export function executionStore(db: SqlEngine): ExecutionStore {
  const history = new EventHistory(db, "execution_events");
  return {
    async create(e, tags) {
      const now = new Date().toISOString();
      try {
        const row = {
          executionProject: e.project,
          executionDomain: e.domain,
          executionName: e.name,
          launchPlanId: e.launchPlanId,
          workflowId: e.workflowId,
          taskId: e.taskId,
          phase: e.phase,
          spec: e.spec,
          closure: e.closure,
          startedAt: e.startedAt,
          executionCreatedAt: e.executionCreatedAt,
          executionUpdatedAt: e.executionUpdatedAt,
          duration: e.duration,
          abortCause: e.abortCause,
          mode: e.mode,
          sourceExecutionId: e.sourceExecutionId,
          parentNodeExecutionId: e.parentNodeExecutionId,
          cluster: e.cluster,
          inputsUri: e.inputsUri,
          userInputsUri: e.userInputsUri,
          errorKind: e.errorKind,
          errorCode: e.errorCode,
          user: e.user,
          state: e.state,
          launchEntity: e.launchEntity,
          createdAt: now,
          updatedAt: now,
        };
        // Without tags the row is one statement, which group commit can share; with tags, one transaction.
        const inserted =
          tags.length === 0
            ? await writer.insertReturning(db, row)
            : await db.transaction(async (tx) => {
                const r = await writer.insertReturning(tx, row);
                for (const t of tags) {
                  const tag = {
                    executionProject: e.project,
                    executionDomain: e.domain,
                    executionName: e.name,
                    key: t.key,
                    value: t.value,
                    createdAt: now,
                    updatedAt: now,
                  };
                  await tagWriter.insert(tx, tag, { ignoreConflict: true });
                }
                return r;
              });
        return fromSqlRow(inserted);
      } catch (err) {
        throw dbError(err, isUniqueViolation(err) && (await tagTaken(db, e, tags)) ? "execution_tags_pkey" : "executions_pkey");
      }
    },

    async get(key) {
      const [r] = await db.query(getSql, [key.project, key.domain, key.name]);
      return r && fromSqlRow(r);
    },

    async clusterOf(key) {
      const [r] = await db.query(clusterSql, [key.project, key.domain, key.name]);
      return r ? String(r.cluster ?? "") : undefined;
    },

    async getById(id) {
      const [r] = await db.query(byIdSql, [id]);
      return r && fromSqlRow(r);
    },

    async update(key, { readFrom, ...patch }) {
      const values = { ...patch, updatedAt: new Date().toISOString() };
      if (!readFrom) {
        await writer.update(db, values, keyOf(key));
        return;
      }
      // Compare-and-set in one statement: under group commit it runs after any update queued before it,
      // and a shared server (or Postgres, re-checking the WHERE after a row lock) serializes it with other
      // writers; either way a row changed since the read matches nothing.
      const where = { ...keyOf(key), phase: readFrom.phase, cluster: readFrom.cluster, ...(readFrom.closure.length > 0 ? { closure: readFrom.closure } : {}) };
      if ((await writer.update(db, values, where)) === 0) throw new StaleRecord(`execution ${key.name} changed since it was read`);
    },

    async list(q: ListQuery) {
      const where = whereSql(q.filters, tableOf);
      const order = q.order ? sql` ORDER BY ${orderSql(q.order, "executions")}` : sql``;
      const rows = await db.all<SqlRow>(
        sql`SELECT executions.* ${fromClause(q.filters)}${where ? sql` WHERE ${where}` : sql``}${order}${pageSql({ ...q, order: undefined })}`,
      );
      return rows.map(fromSqlRow);
    },

    recordEvent: (key, e) => history.record({ project: key.project, domain: key.domain, name: key.name, ...e }),

    async count(q) {
      const where = whereSql(q.filters, tableOf);
      const [r] = await db.all<{ n: number }>(sql`SELECT COUNT(executions.id) AS n ${fromClause(q.filters)}${where ? sql` WHERE ${where}` : sql``}`);
      return Number(r?.n ?? 0);
    },
  };
}
