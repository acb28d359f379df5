// Workflow rules, as upstream's workflow manager: gather what the template references, compile, check
// registration limits, compare with an existing version, offload the closure to the blob store, store.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate, timestampNow } from "@bufbuild/protobuf/wkt";
import { IdentifierSchema, ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import type { WorkflowTemplate } from "../../gen/flyteidl/core/workflow_pb";
import { TypedInterfaceSchema } from "../../gen/flyteidl/core/interface_pb";
import { CompiledWorkflowClosureSchema, type CompiledTask, type CompiledWorkflowClosure } from "../../gen/flyteidl/core/compiler_pb";
import {
  CreateWorkflowFailureReasonSchema,
  WorkflowClosureSchema,
  WorkflowSchema,
  type Workflow,
  type WorkflowClosure,
  type WorkflowCreateRequest,
} from "../../gen/flyteidl/admin/workflow_pb";
import type { NamedEntityIdentifier, NamedEntityIdentifierListRequest, ResourceListRequest } from "../../gen/flyteidl/admin/common_pb";
import { AdminError, ErrorCode, alreadyExists, detail, internal, invalidArgument, missingArgument } from "../../kernel/errors";
import { diffLines, digestOf, messageJson } from "../../kernel/digest";
import { identifierText, validateIdentifier } from "../../kernel/identifiers";
import { parseQuantity } from "../../kernel/k8s-quantity";
import { listNames, listVersions } from "../lists/versions";
import type { ProjectManager } from "../projects/manager";
import { descriptionRecord } from "../shared/description-record";
import { missingEntity } from "../shared/not-found";
import type { TaskStore } from "../../ports/tasks";
import type { BlobStore } from "../../ports/blob";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";
import { TaskClosureSchema } from "../../gen/flyteidl/admin/task_pb";
import type { LaunchPlanInterface } from "../../compiler/graph";

/** The compiler as the workflow rules use it; compile errors are thrown as Error with upstream's text. */
export interface WorkflowCompiler {
  requirements(primary: WorkflowTemplate, subWorkflows: WorkflowTemplate[]): { taskIds: Identifier[]; launchPlanIds: Identifier[] };
  compile(primary: WorkflowTemplate, subWorkflows: WorkflowTemplate[], tasks: CompiledTask[], launchPlans: LaunchPlanInterface[]): CompiledWorkflowClosure;
}

/** A launch plan's interface as a workflow node sees it (expected inputs and outputs). */
export type LaunchPlanInterfaces = (id: Identifier) => Promise<LaunchPlanInterface | undefined>;

export interface WorkflowRules {
  maxWorkflowNodes: number;
  workflowSizeLimit: string;
  metadataStoragePrefix: string[];
}

const systemNodes = 2; // start-node and end-node

export class WorkflowManager {
  constructor(
    private readonly store: WorkflowStore,
    private readonly tasks: TaskStore,
    private readonly launchPlanInterfaces: LaunchPlanInterfaces,
    private readonly blobs: BlobStore,
    private readonly projects: ProjectManager,
    private readonly compiler: WorkflowCompiler,
    private readonly rules: WorkflowRules,
  ) {}

  /** Everything the template references, loaded, then compiled. */
  private async compile(template: WorkflowTemplate, subWorkflows: WorkflowTemplate[]): Promise<CompiledWorkflowClosure> {
    const reqs = this.compiler.requirements(template, subWorkflows);
    const tasks: CompiledTask[] = [];
    for (const id of reqs.taskIds) {
      const r = await this.tasks.get(id);
      if (!r) throw missingEntity("TASK", id);
      const compiled = fromBinary(TaskClosureSchema, r.closure).compiledTask;
      if (compiled) tasks.push(compiled);
    }
    const launchPlans: LaunchPlanInterface[] = [];
    for (const id of reqs.launchPlanIds) {
      const lp = await this.launchPlanInterfaces(id);
      if (!lp) throw missingEntity("LAUNCH_PLAN", id);
      launchPlans.push(lp);
    }
    return this.compiler.compile(template, subWorkflows, tasks, launchPlans);
  }

  private checkLimits(id: Identifier, closure: WorkflowClosure): void {
    const sizeLimit = this.rules.workflowSizeLimit;
    if (sizeLimit && toBinary(WorkflowClosureSchema, closure).length > parseQuantity(sizeLimit)) {
      throw invalidArgument(`Workflow closure size exceeds max limit [${sizeLimit}]`);
    }
    const nodes = closure.compiledWorkflow?.primary?.template?.nodes;
    if (this.rules.maxWorkflowNodes === 0 || !nodes) return;
    const userNodes = nodes.length - systemNodes;
    if (userNodes > this.rules.maxWorkflowNodes) {
      throw invalidArgument(`number of nodes in workflow [${identifierText(id)}] exceeds limit (${userNodes} > ${this.rules.maxWorkflowNodes})`);
    }
  }

  private async readClosure(r: WorkflowRecord): Promise<WorkflowClosure> {
    const bytes = await this.blobs.read(r.remoteClosureIdentifier);
    if (!bytes) throw internal(`workflow closure [${r.remoteClosureIdentifier}] is missing from the blob store`);
    return fromBinary(WorkflowClosureSchema, bytes);
  }

  /** Same id registered before: identical structure is AlreadyExists, another is InvalidArgument. */
  private async refuseExisting(id: Identifier, existing: WorkflowRecord, compiled: CompiledWorkflowClosure, digest: Uint8Array): Promise<never> {
    if (Buffer.from(existing.digest).equals(Buffer.from(digest))) {
      throw alreadyExists(
        "workflow with identical structure already exists",
        detail(CreateWorkflowFailureReasonSchema, { reason: { case: "existsIdenticalStructure", value: { id } } }),
      );
    }
    const old = (await this.readClosure(existing)).compiledWorkflow ?? create(CompiledWorkflowClosureSchema);
    const lines = diffLines(messageJson(CompiledWorkflowClosureSchema, old), messageJson(CompiledWorkflowClosureSchema, compiled));
    throw invalidArgument(
      `${id.name} workflow with different structure already exists. (Please register a new version of the workflow):\n${lines.join("\n")}`,
      detail(CreateWorkflowFailureReasonSchema, { reason: { case: "existsDifferentStructure", value: { id } } }),
    );
  }

  async create(req: WorkflowCreateRequest): Promise<void> {
    validateIdentifier(req.id, ResourceType.WORKFLOW);
    const id = req.id;
    await this.projects.requireActive(id.project, id.domain);
    const spec = req.spec;
    if (!spec?.template) throw missingArgument("spec");
    const template: WorkflowTemplate = { ...spec.template, id };
    let compiled: CompiledWorkflowClosure;
    try {
      compiled = await this.compile(template, spec.subWorkflows);
    } catch (e) {
      throw invalidArgument(`failed to compile workflow for [${identifierText(id)}] with err: ${(e as Error).message}`);
    }
    const closure = create(WorkflowClosureSchema, { compiledWorkflow: compiled, createdAt: timestampNow() });
    this.checkLimits(id, closure);
    const digest = digestOf(CompiledWorkflowClosureSchema, compiled);
    const existing = await this.store.get(id);
    if (existing) await this.refuseExisting(id, existing, compiled, digest);

    const uri = this.blobs.uri(...this.rules.metadataStoragePrefix, id.project, id.domain, id.name, id.version);
    await this.blobs.write(uri, toBinary(WorkflowClosureSchema, closure)).catch((e: unknown) => {
      throw internal(`failed to write marshaled workflow [${identifierText(id)}] to storage ${uri} with err ${(e as Error).message}`);
    });
    const description = descriptionRecord(ResourceType.WORKFLOW, id, spec.description);
    try {
      await this.store.create(
        {
          project: id.project,
          domain: id.domain,
          name: id.name,
          version: id.version,
          typedInterface: toBinary(TypedInterfaceSchema, template.interface ?? create(TypedInterfaceSchema)),
          remoteClosureIdentifier: uri,
          digest,
          shortDescription: description?.shortDescription ?? "",
        },
        description,
      );
    } catch (e) {
      // Lost a race with an identical registration: answer as if it had been there first.
      if (e instanceof AdminError && e.code === ErrorCode.AlreadyExists) {
        const winner = await this.store.get(id);
        if (winner) await this.refuseExisting(id, winner, compiled, digest);
      }
      throw e;
    }
  }

  private key(r: WorkflowRecord): Identifier {
    return create(IdentifierSchema, { resourceType: ResourceType.WORKFLOW, project: r.project, domain: r.domain, name: r.name, version: r.version });
  }

  async get(id: Identifier | undefined): Promise<Workflow> {
    validateIdentifier(id, ResourceType.WORKFLOW);
    const r = await this.store.get(id);
    if (!r) throw missingEntity("WORKFLOW", id);
    return create(WorkflowSchema, { id: this.key(r), closure: await this.readClosure(r), shortDescription: r.shortDescription });
  }

  /** Lists carry only the interface and creation time, without reading any blob (as upstream). */
  private listed(r: WorkflowRecord): Workflow {
    return create(WorkflowSchema, {
      id: this.key(r),
      closure: {
        compiledWorkflow: { primary: { template: { interface: fromBinary(TypedInterfaceSchema, r.typedInterface) } } },
        createdAt: r.createdAt ? timestampFromDate(new Date(r.createdAt)) : undefined,
      },
      shortDescription: r.shortDescription,
    });
  }

  async list(req: ResourceListRequest): Promise<{ workflows: Workflow[]; token: string }> {
    const { items, token } = await listVersions(
      "workflow",
      req,
      "ListWorkflows",
      (q) => this.store.list(q),
      (r) => this.listed(r),
    );
    return { workflows: items, token };
  }

  listIds(req: NamedEntityIdentifierListRequest): Promise<{ entities: NamedEntityIdentifier[]; token: string }> {
    return listNames("workflow", req, "ListWorkflowIds", (q) => this.store.listNames(q));
  }
}
