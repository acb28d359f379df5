// What the controller reads from flyteadmin's data: the projects (all but archived ones, as upstream's
// database provider) and each project-domain's CLUSTER_RESOURCE attributes (the most specific row).
import { fromBinary } from "@bufbuild/protobuf";
import { MatchableResource, MatchingAttributesSchema } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { Project_ProjectState } from "../../gen/flyteidl/admin/project_pb";
import { mostSpecific } from "../../domain/matchable/manager";
import type { ResourceStore } from "../../ports/matchable";
import type { ProjectStore } from "../../ports/projects";

export interface ResourceSource {
  /** Project identifiers, in a stable order. */
  projects(): Promise<string[]>;
  /** The attributes map, {} when none is set. */
  attributes(project: string, domain: string): Promise<Record<string, string>>;
}

export function storeSource(projects: ProjectStore, resources: ResourceStore): ResourceSource {
  return {
    async projects() {
      const rows = await projects.list({ filters: [], order: { column: "identifier", direction: "asc" }, limit: 0, offset: 0 });
      return rows.filter((r) => r.state !== Project_ProjectState.ARCHIVED).map((r) => r.identifier);
    },
    async attributes(project, domain) {
      const key = { project, domain, workflow: "", launchPlan: "", resourceType: MatchableResource[MatchableResource.CLUSTER_RESOURCE] };
      const row = mostSpecific(await resources.matching(key));
      if (!row) return {};
      const target = fromBinary(MatchingAttributesSchema, row.attributes).target;
      return target.case === "clusterResourceAttributes" ? { ...target.value.attributes } : {};
    },
  };
}
