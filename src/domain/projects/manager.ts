// Project rules, as upstream's project manager and validator: register, update, get, list, domains.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  InactiveProjectSchema,
  DomainSchema,
  ProjectSchema,
  Project_ProjectState,
  type Domain,
  type Project,
  type ProjectListRequest,
} from "../../gen/flyteidl/admin/project_pb";
import { detail, invalidArgument, missingArgument, notFound } from "../../kernel/errors";
import { goList, isDns1123Label } from "../../kernel/k8s-names";
import { parseFilters } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken } from "../../kernel/lists/page";
import { knownEnum, maxLength, requireString, validateLabels } from "../../kernel/validate";
import type { ProjectRecord, ProjectStore } from "../../ports/projects";

const maxNameLength = 64;
const maxDescriptionLength = 300;
const defaultOrder = { column: "identifier", direction: "asc" } as const;

export interface DomainConfig {
  id: string;
  name: string;
}

function validateProject(p: Project): void {
  requireString(p.id, "project_id");
  knownEnum(Project_ProjectState, p.state, "state");
  validateLabels(p.labels?.values);
  const idErrs = isDns1123Label(p.id);
  if (idErrs.length > 0) throw invalidArgument(`invalid project id [${p.id}]: ${goList(idErrs)}`);
  maxLength(p.name, "project_name", maxNameLength);
  maxLength(p.description, "project_description", maxDescriptionLength);
  if (p.domains.length > 0) {
    throw invalidArgument("Domains are currently only set system wide. Please retry without domains included in your request.");
  }
}

/** Upstream keeps the whole Project message in the labels column, and only when it has labels. */
function toRecord(p: Project): ProjectRecord {
  return {
    identifier: p.id,
    name: p.name,
    description: p.description,
    labels: p.labels ? toBinary(ProjectSchema, p) : null,
    state: p.state,
  };
}

export class ProjectManager {
  private readonly domains: Domain[];

  constructor(
    private readonly store: ProjectStore,
    domains: DomainConfig[],
  ) {
    this.domains = domains.map((d) => create(DomainSchema, d));
  }

  getDomains(): Domain[] {
    return this.domains;
  }

  private toProject(r: ProjectRecord): Project {
    const stored = r.labels ? fromBinary(ProjectSchema, r.labels) : undefined;
    return create(ProjectSchema, {
      id: r.identifier,
      name: r.name,
      description: r.description,
      labels: stored?.labels,
      state: r.state as Project_ProjectState,
      domains: this.domains,
    });
  }

  async register(project: Project | undefined): Promise<void> {
    if (!project) throw missingArgument("project");
    requireString(project.name, "project_name");
    validateProject(project);
    await this.store.create(toRecord(project));
  }

  async update(project: Project): Promise<void> {
    if (project.id !== "" && !(await this.store.get(project.id))) throw notFound(`project [${project.id}] not found`);
    validateProject(project);
    // Upstream writes only the non-zero columns of the update (gorm Updates): an empty name or
    // description, or absent labels, leave the stored value alone; the state is always written.
    const r = toRecord(project);
    await this.store.update(project.id, {
      ...(r.name !== "" && { name: r.name }),
      ...(r.description !== "" && { description: r.description }),
      ...(r.labels && { labels: r.labels }),
      state: r.state,
    });
  }

  async get(id: string): Promise<Project> {
    requireString(id, "project_id");
    const r = await this.store.get(id);
    if (!r) throw notFound(`project [${id}] not found`);
    return this.toProject(r);
  }

  async list(req: ProjectListRequest): Promise<{ projects: Project[]; token: string }> {
    const filters = parseFilters(req.filters, "project");
    const order = parseSort(req.sortBy, "project") ?? defaultOrder;
    const offset = parseToken(req.token, "ListProjects");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset });
    return { projects: rows.map((r) => this.toProject(r)), token: nextToken(offset, rows.length, req.limit) };
  }

  /**
   * Registration and executions need a registered, active project and a configured domain
   * (upstream's ValidateProjectAndDomain, with its messages and the InactiveProject detail).
   */
  async requireActive(project: string, domain: string): Promise<Project> {
    const r = await this.store.get(project);
    if (!r) {
      throw invalidArgument(`failed to validate that project [${project}] and domain [${domain}] are registered, err: [project [${project}] not found]`);
    }
    if (r.state !== Project_ProjectState.ACTIVE) {
      throw invalidArgument(`project [${project}] is not active`, detail(InactiveProjectSchema, { id: project }));
    }
    if (!this.domains.some((d) => d.id === domain)) throw invalidArgument(`domain [${domain}] is unrecognized by system`);
    return this.toProject(r);
  }

  /** `migrate seed-projects`: identifier = name, description "<name> description". */
  async seed(names: string[]): Promise<string[]> {
    return this.store.seed(names.map((n) => ({ identifier: n, name: n, description: `${n} description`, labels: null, state: Project_ProjectState.ACTIVE })));
  }
}
