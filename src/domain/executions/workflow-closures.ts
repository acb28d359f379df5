// Workflow closures as launches read them. Closures are immutable (their key holds the version), so
// parsed ones are kept and shared: callers never mutate them. The compiled closure as launched (the
// platform's task resources and the queue applied) is kept per combination the same way.
import { clone, fromBinary } from "@bufbuild/protobuf";
import { WorkflowClosureSchema, type WorkflowClosure } from "../../gen/flyteidl/admin/workflow_pb";
import { CompiledWorkflowClosureSchema, type CompiledWorkflowClosure } from "../../gen/flyteidl/core/compiler_pb";
import { internal } from "../../kernel/errors";
import { BoundedCache } from "../../kernel/bounded-cache";
import type { BlobStore } from "../../ports/blob";
import type { WorkflowRecord } from "../../ports/workflows";
import type { TaskResources } from "./launch-attributes";
import { applyTaskResourceDefaults } from "./task-resources";
import { applyQueue } from "./queues";

export class WorkflowClosures {
  private readonly parsed = new BoundedCache<string, WorkflowClosure>(256);
  private readonly launched = new BoundedCache<string, CompiledWorkflowClosure>(256);

  constructor(private readonly blobs: BlobStore) {}

  /** The workflow's stored closure (shared, never mutated); Internal when its blob is missing. */
  read(wf: WorkflowRecord): Promise<WorkflowClosure> {
    const uri = wf.remoteClosureIdentifier;
    return this.parsed.getOrLoad(uri, async () => {
      const bytes = await this.blobs.read(uri);
      if (!bytes) throw internal(`workflow closure [${uri}] is missing from the blob store`);
      return fromBinary(WorkflowClosureSchema, bytes);
    });
  }

  /** The closure to launch (shared, never mutated): the workflow's, with the platform's task resources and queue. */
  forLaunch(wf: WorkflowRecord, taskResources: TaskResources, queue: string | undefined): Promise<CompiledWorkflowClosure> {
    const key = `${wf.remoteClosureIdentifier}\u0000${JSON.stringify(taskResources)}\u0000${queue ?? ""}`;
    return this.launched.getOrLoad(key, async () => {
      const compiled = (await this.read(wf)).compiledWorkflow;
      if (!compiled) throw internal(`workflow [${wf.name}] has no compiled closure`);
      const closure = clone(CompiledWorkflowClosureSchema, compiled);
      applyTaskResourceDefaults(closure, taskResources);
      applyQueue(closure, queue);
      return closure;
    });
  }
}
