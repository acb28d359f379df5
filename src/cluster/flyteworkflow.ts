// The FlyteWorkflow custom resource propeller runs, built from a compiled workflow closure as upstream's
// k8s transformer builds it and then adjusted as flyteadmin prepares it (execution id, acceptance time,
// finalizer, permissions, labels, annotations, execution config, raw output location). Field encodings
// follow propeller's Go types: protobuf messages as protobuf JSON, the execution id, security context
// and raw output config as plain Go JSON (snake_case), the execution config as untagged PascalCase.
import type { JsonObject } from "@bufbuild/protobuf";
import type { CompiledWorkflowClosure } from "../gen/flyteidl/core/compiler_pb";
import { LiteralMapSchema, type LiteralMap } from "../gen/flyteidl/core/literals_pb";
import type { WorkflowExecutionIdentifier } from "../gen/flyteidl/core/identifier_pb";
import type { SecurityContext } from "../gen/flyteidl/core/security_pb";
import type { PluginOverride, WorkflowExecutionConfig } from "../gen/flyteidl/admin/matchable_resource_pb";
import type { RawOutputDataConfig } from "../gen/flyteidl/admin/common_pb";
import { err, Errors } from "../compiler/errors";
import type { ResourceSet } from "../ports/launcher";
import { checkInputs, compact, pb, workflowParts, type WorkflowParts } from "./workflow-parts";

export interface FlyteWorkflowInput {
  closure: CompiledWorkflowClosure;
  inputs: LiteralMap;
  executionId: WorkflowExecutionIdentifier;
  namespace: string;
  acceptedAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  executionConfig: WorkflowExecutionConfig;
  /** Annotation key for the IAM role (flyteadmin.roleNameKey); "" for none. */
  roleNameKey: string;
  rawOutputDataConfig?: RawOutputDataConfig;
  pluginOverrides: PluginOverride[];
  recoveryExecution?: WorkflowExecutionIdentifier;
  taskResources: { defaults: ResourceSet; limits: ResourceSet };
  eventVersion: number;
  consoleUrl: string;
  /** Point propeller at blobs instead of inlining: the closure and/or the inputs. */
  offloaded?: { closureUri?: string; inputsUri?: string };
}

export type FlyteWorkflowResource = JsonObject;

/** Propeller's label value rules: lower case, runs of other characters → "-", ≤63, no edge dashes. */
export function sanitizeLabelValue(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
}

/** FNV-1a 32-bit, the hash propeller's shard-key label uses. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const quantityOr0 = (q: string) => (q === "" ? "0" : q);
const taskResourceSpec = (s: ResourceSet) => ({
  CPU: quantityOr0(s.cpu),
  Memory: quantityOr0(s.memory),
  EphemeralStorage: quantityOr0(s.ephemeralStorage),
  Storage: "0",
  GPU: quantityOr0(s.gpu),
});

/**
 * Builds the resource; throws CompileErrorList when the closure or the inputs cannot run. `parts` gives
 * the closure-only parts (a cache, say); it is asked only once the inputs are known to be good.
 */
export function buildFlyteWorkflow(
  input: FlyteWorkflowInput,
  parts: (closure: CompiledWorkflowClosure) => WorkflowParts = workflowParts,
): FlyteWorkflowResource {
  const errs = Errors.root();
  const template = input.closure.primary?.template;
  if (!template) {
    errs.add(err.valueRequired("root", "wfClosure"));
    throw errs.toError();
  }
  checkInputs(template.interface, input.inputs, errs.scope());
  if (errs.failed) throw errs.toError();
  const { spec, tasks, subWorkflows, workflowName, interruptible } = parts(input.closure);

  const exec = input.executionId;
  const labels: Record<string, string> = {
    "execution-id": exec.name,
    project: exec.project,
    domain: exec.domain,
    "workflow-name": sanitizeLabelValue(workflowName),
    "shard-key": String(fnv1a32(exec.name) % 32),
    ...input.labels,
  };
  const annotations: Record<string, string> = { ...input.annotations };
  const runAs = input.executionConfig.securityContext?.runAs;
  if (runAs?.iamRole) annotations[input.roleNameKey] = runAs.iamRole;

  const cfg = input.executionConfig;
  const resource: JsonObject = {
    apiVersion: "flyte.lyft.com/v1alpha1",
    kind: "flyteworkflow",
    metadata: {
      name: exec.name,
      namespace: input.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: ["flyte.org/finalizer"],
    },
    spec,
    workflowMeta: { eventVersion: input.eventVersion },
    inputs: pb(LiteralMapSchema, input.inputs),
    executionId: { project: exec.project, domain: exec.domain, name: exec.name, ...(exec.org ? { org: exec.org } : {}) },
    tasks,
    ...(Object.keys(subWorkflows).length ? { subWorkflows } : {}),
    "node-defaults": interruptible ? { interruptible: true } : {},
    acceptedAt: input.acceptedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...(runAs?.k8sServiceAccount ? { serviceAccountName: runAs.k8sServiceAccount } : {}),
    securityContext: goSecurityContext(input.executionConfig.securityContext),
    status: { phase: 0 },
    rawOutputDataConfig: input.rawOutputDataConfig?.outputLocationPrefix ? { output_location_prefix: input.rawOutputDataConfig.outputLocationPrefix } : {},
    executionConfig: {
      TaskPluginImpls: Object.fromEntries(
        input.pluginOverrides.map((o) => [o.taskType, { PluginIDs: o.pluginId, MissingPluginBehavior: o.missingPluginBehavior }]),
      ),
      MaxParallelism: cfg.maxParallelism,
      RecoveryExecution: input.recoveryExecution
        ? { project: input.recoveryExecution.project, domain: input.recoveryExecution.domain, name: input.recoveryExecution.name }
        : {},
      TaskResources: { Requests: taskResourceSpec(input.taskResources.defaults), Limits: taskResourceSpec(input.taskResources.limits) },
      Interruptible: cfg.interruptible ?? null,
      OverwriteCache: cfg.overwriteCache,
      EnvironmentVariables: cfg.envs ? Object.fromEntries(cfg.envs.values.map((kv) => [kv.key, kv.value])) : null,
    },
  };
  if (input.consoleUrl) resource.consoleUrl = input.consoleUrl;
  if (input.offloaded?.closureUri) {
    resource.workflowClosureReference = input.offloaded.closureUri;
    resource.spec = null;
    resource.tasks = null;
    delete resource.subWorkflows;
  }
  if (input.offloaded?.inputsUri) {
    resource.offloadedInputs = input.offloaded.inputsUri;
    delete resource.inputs;
  }
  return resource;
}

/** core.SecurityContext as Go's encoding/json writes it: snake_case, empty fields left out, enums as numbers. */
function goSecurityContext(s: SecurityContext | undefined): JsonObject {
  if (!s) return {};
  const out: JsonObject = {};
  const r = s.runAs;
  if (r) {
    const client = r.oauth2Client;
    out.run_as = compact({
      iam_role: r.iamRole,
      k8s_service_account: r.k8sServiceAccount,
      oauth2_client: client
        ? compact({
            client_id: client.clientId,
            client_secret: client.clientSecret ? compact({ group: client.clientSecret.group, key: client.clientSecret.key }) : undefined,
          })
        : undefined,
      execution_identity: r.executionIdentity,
    });
  }
  if (s.secrets.length) {
    out.secrets = s.secrets.map((x) =>
      compact({ group: x.group, group_version: x.groupVersion, key: x.key, mount_requirement: x.mountRequirement, env_var: x.envVar }),
    );
  }
  if (s.tokens.length) {
    out.tokens = s.tokens.map((t) =>
      compact({
        name: t.name,
        type: t.type,
        client: t.client ? compact({ client_id: t.client.clientId }) : undefined,
        idp_discovery_endpoint: t.idpDiscoveryEndpoint,
        token_endpoint: t.tokenEndpoint,
      }),
    );
  }
  return out;
}
