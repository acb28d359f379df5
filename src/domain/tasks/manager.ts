// Task rules, as upstream's task manager: validate, compile, digest, store; identical re-registration
// is AlreadyExists, a different structure under the same id is InvalidArgument with a diff.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import type { TaskTemplate } from "../../gen/flyteidl/core/tasks_pb";
import { CompiledTaskSchema, type CompiledTask } from "../../gen/flyteidl/core/compiler_pb";
import { TaskClosureSchema, TaskSchema, type Task, type TaskCreateRequest } from "../../gen/flyteidl/admin/task_pb";
import type { NamedEntityIdentifier, NamedEntityIdentifierListRequest, ResourceListRequest } from "../../gen/flyteidl/admin/common_pb";
import { AdminError, ErrorCode, alreadyExists, invalidArgument, missingArgument } from "../../kernel/errors";
import { diffLines, digestOf, messageJson } from "../../kernel/digest";
import { validateIdentifier } from "../../kernel/identifiers";
import { listNames, listVersions } from "../lists/versions";
import type { ProjectManager } from "../projects/manager";
import { descriptionRecord } from "../shared/description-record";
import { missingEntity } from "../shared/not-found";
import type { TaskRecord, TaskStore } from "../../ports/tasks";
import { validateTaskTemplate, type ResourceLimits, type TaskTypeWhitelist } from "./validate";
import type { MatchableAttributesManager } from "../matchable/manager";
import { MatchableResource } from "../../gen/flyteidl/admin/matchable_resource_pb";

/** Compiles a template; throws InvalidArgument ("task failed compilation with ...") when it cannot. */
export type TaskCompiler = (template: TaskTemplate) => CompiledTask;

export interface TaskRules {
  /** Where a project/domain's TASK_RESOURCE attributes come from. */
  attributes: Pick<MatchableAttributesManager, "resolve">;
  /** The server's task_resources.limits: the platform limits wherever no attributes set them. */
  defaultLimits: ResourceLimits;
  whitelist: TaskTypeWhitelist;
}

export class TaskManager {
  constructor(
    private readonly store: TaskStore,
    private readonly projects: ProjectManager,
    private readonly compile: TaskCompiler,
    private readonly rules: TaskRules,
  ) {}

  async create(req: TaskCreateRequest): Promise<void> {
    validateIdentifier(req.id, ResourceType.TASK);
    const id = req.id;
    await this.projects.requireActive(id.project, id.domain);
    const template = req.spec?.template;
    if (!template) throw missingArgument("spec");
    validateTaskTemplate(id, template, await this.platformLimits(id.project, id.domain), this.rules.whitelist);
    const compiled = this.compile({ ...template, id });
    const digest = digestOf(CompiledTaskSchema, compiled);
    const description = descriptionRecord(ResourceType.TASK, id, req.spec?.description);
    const record: TaskRecord = {
      project: id.project,
      domain: id.domain,
      name: id.name,
      version: id.version,
      closure: toBinary(TaskClosureSchema, create(TaskClosureSchema, { compiledTask: compiled, createdAt: timestampNow() })),
      digest,
      type: template.type,
      shortDescription: description?.shortDescription ?? "",
    };
    try {
      await this.store.create(record, description);
    } catch (e) {
      if (!(e instanceof AdminError) || e.code !== ErrorCode.AlreadyExists) throw e;
      await this.explainExisting(id, compiled, digest);
    }
  }

  /** Platform limits for a project/domain: its TASK_RESOURCE attributes, else the server's task_resources. */
  private async platformLimits(project: string, domain: string): Promise<ResourceLimits> {
    const a = await this.rules.attributes.resolve(MatchableResource.TASK_RESOURCE, { project, domain });
    return a?.target.case === "taskResourceAttributes" ? (a.target.value.limits ?? {}) : this.rules.defaultLimits;
  }

  /** Turns a duplicate id into upstream's identical / different structure answer. */
  private async explainExisting(id: Identifier, compiled: CompiledTask, digest: Uint8Array): Promise<never> {
    const existing = await this.store.get(id);
    if (!existing) throw alreadyExists("task with identical structure already exists");
    if (Buffer.from(existing.digest).equals(Buffer.from(digest))) throw alreadyExists("task with identical structure already exists");
    const old = fromBinary(TaskClosureSchema, existing.closure).compiledTask ?? create(CompiledTaskSchema);
    const lines = diffLines(messageJson(CompiledTaskSchema, old), messageJson(CompiledTaskSchema, compiled));
    throw invalidArgument(`${id.name} task with different structure already exists. (Please register a new version of the task):\n${lines.join("\n")}`);
  }

  private toTask(r: TaskRecord): Task {
    return create(TaskSchema, {
      id: { resourceType: ResourceType.TASK, project: r.project, domain: r.domain, name: r.name, version: r.version },
      closure: fromBinary(TaskClosureSchema, r.closure),
      shortDescription: r.shortDescription,
    });
  }

  async get(id: Identifier | undefined): Promise<Task> {
    validateIdentifier(id, ResourceType.TASK);
    const r = await this.store.get(id);
    if (!r) throw missingEntity("TASK", id);
    return this.toTask(r);
  }

  async list(req: ResourceListRequest): Promise<{ tasks: Task[]; token: string }> {
    const { items, token } = await listVersions(
      "task",
      req,
      "ListTasks",
      (q) => this.store.list(q),
      (r) => this.toTask(r),
    );
    return { tasks: items, token };
  }

  listIds(req: NamedEntityIdentifierListRequest): Promise<{ entities: NamedEntityIdentifier[]; token: string }> {
    return listNames("task", req, "ListUniqueTaskIdentifiers", (q) => this.store.listNames(q));
  }
}
