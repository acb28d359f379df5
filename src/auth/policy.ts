// The per-project policy (auth.rbac): which role a caller holds where, and the refusal when it is not
// enough. Upstream flyteadmin has no authorization beyond a valid token (flyteorg/flyte#3909); with
// rbac off this policy allows everything, as upstream does.
import type { RoleBindingConfig } from "../config/schema";
import { AdminError, cutBytes, ErrorCode, echo, maxMessageBytes } from "../kernel/errors";
import type { Identity } from "./identity";
import { cleanScope, type MethodAccess, type Need, type Role, type Scope, scopeOf } from "./rpc-access";

export interface RbacConfig {
  enabled: boolean;
  bindings: readonly RoleBindingConfig[];
}

export interface PolicyOptions {
  /** The configured domains; a binding naming another domain is refused, as it could never hold. */
  domains?: readonly string[];
}

const rank: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
const higher = (a: Role | undefined, b: Role): Role => (a && rank[a] >= rank[b] ? a : b);
export const roleAtLeast = (have: Role | undefined, need: Role): boolean => have !== undefined && rank[have] >= rank[need];

interface Binding {
  role: Role;
  identities: ReadonlySet<string>;
  projects: RegExp[];
  /** A pattern of stars only: the binding holds at every project, even one a request does not name. */
  everyProject: boolean;
  /** Empty: every domain. */
  domains: ReadonlySet<string>;
}

// Project ids are DNS-1123 labels (the project rules); a glob with anything else could never match one.
const globPattern = /^[a-z0-9*?-]+$/;
const identityForm = /^([^:\s*]+):(\S(?:.*\S)?)$/;

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[*?]/g, (c) => (c === "*" ? ".*" : "."));
  return new RegExp(`^${body}$`);
}

function compile(b: RoleBindingConfig, i: number, domains: readonly string[] | undefined): Binding {
  const where = `auth.rbac.bindings[${i}]`;
  b.identities.forEach((id, j) => {
    const m = identityForm.exec(id);
    if (id !== "*" && (!m || m[2] === "*"))
      throw new Error(`${where}.identities[${j}]: "${echo(id)}" is not "*", "subject:<sub>", "client:<client id>" or "<claim>:<value>"`);
  });
  b.projects.forEach((p, j) => {
    if (!globPattern.test(p))
      throw new Error(`${where}.projects[${j}]: "${echo(p)}" can never match a project id (lowercase letters, digits and '-', with * and ? as wildcards)`);
  });
  b.domains.forEach((d, j) => {
    if (domains && !domains.includes(d)) throw new Error(`${where}.domains[${j}]: "${echo(d)}" is not a configured domain (${domains.join(", ")})`);
  });
  return {
    role: b.role,
    identities: new Set(b.identities),
    projects: b.projects.map(globToRegExp),
    everyProject: b.projects.some((p) => /^\*+$/.test(p)),
    domains: new Set(b.domains),
  };
}

const claimText = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

/** Where a role is asked for: a project (or every one), and a domain, every domain, or any one of the project's. */
interface Place {
  project?: string;
  domain?: string;
  anyDomain?: boolean;
}

export class Policy {
  readonly enabled: boolean;
  private readonly bindings: Binding[];
  /** Claim names the bindings match on, so an identity's forms are built from those alone. */
  private readonly claimKeys: string[];

  constructor(rbac: RbacConfig, opts: PolicyOptions = {}) {
    this.enabled = rbac.enabled;
    this.bindings = rbac.bindings.map((b, i) => compile(b, i, opts.domains));
    const keys = new Set<string>();
    for (const b of this.bindings)
      for (const id of b.identities) {
        const key = identityForm.exec(id)?.[1];
        if (key && key !== "subject" && key !== "client") keys.add(key);
      }
    this.claimKeys = [...keys];
  }

  /** Every form the identity answers to: "*", subject:, client: and each claim value (per element of an array claim). */
  private forms(identity: Identity): Set<string> {
    const forms = new Set<string>(["*"]);
    if (identity.userId) forms.add(`subject:${identity.userId}`);
    if (identity.appId) forms.add(`client:${identity.appId}`);
    for (const key of this.claimKeys) {
      const value = identity.claims[key];
      for (const v of Array.isArray(value) ? value : [value]) {
        const text = claimText(v);
        if (text !== undefined && text !== "") forms.add(`${key}:${text}`);
      }
    }
    return forms;
  }

  private best(identity: Identity | undefined, place: Place): Role | undefined {
    if (!this.enabled) return "admin";
    if (!identity) return undefined;
    const forms = this.forms(identity);
    let role: Role | undefined;
    for (const b of this.bindings) {
      if (![...b.identities].some((id) => forms.has(id))) continue;
      const { project, domain } = place;
      if (project === undefined ? !b.everyProject : !b.projects.some((re) => re.test(project))) continue;
      if (b.domains.size > 0 && !place.anyDomain && (domain === undefined || !b.domains.has(domain))) continue;
      role = higher(role, b.role);
    }
    return role;
  }

  /**
   * The highest role the identity holds at `project` in `domain`. An absent project is every project
   * (only bindings for "*" count); an absent domain is every domain (only bindings without a domain list).
   */
  roleAt(identity: Identity | undefined, project?: string, domain?: string): Role | undefined {
    return this.best(identity, { project, domain });
  }

  /** Whether the identity may see the project at all: any role there, in any domain (ListProjects). */
  canRead(identity: Identity | undefined, project: string): boolean {
    return this.best(identity, { project, anyDomain: true }) !== undefined;
  }

  /**
   * Refuses the call (PermissionDenied) unless the identity has what `access` needs where the request
   * lands; answers that place. A project-level read (no domain) needs the role in some domain of the
   * project; a project-level write needs it in every domain.
   */
  check(identity: Identity | undefined, access: MethodAccess, request: unknown): Scope {
    const scope = scopeOf(access, request);
    if (!this.enabled || access.need === "open") return scope;
    if (!identity) throw denied(undefined, access.need, scope);
    if (access.need === "authenticated") return scope;
    this.require(identity, access.need, scope);
    if (request !== undefined) for (const more of access.also?.(request) ?? []) this.require(identity, more.role, cleanScope(more.scope));
    return scope;
  }

  private require(identity: Identity, need: Role, scope: Scope): void {
    const anyDomain = need === "viewer" && scope.project !== undefined && scope.domain === undefined;
    if (!roleAtLeast(this.best(identity, { ...scope, anyDomain }), need)) throw denied(identity, need, scope);
  }
}

/** The policy of `auth.rbac`; throws an Error naming the binding that is wrong. */
export function createPolicy(rbac: RbacConfig, opts: PolicyOptions = {}): Policy {
  return new Policy(rbac, opts);
}

function place(need: Role, scope: Scope): string {
  const project = scope.project === undefined ? "every project" : `project "${echo(scope.project)}"`;
  if (scope.domain !== undefined) return `${project} domain "${echo(scope.domain)}"`;
  // A project-level read is allowed with the role in any one domain; a write or an unnamed project needs all.
  return need === "viewer" && scope.project !== undefined ? project : `${project} in every domain`;
}

function denied(identity: Identity | undefined, need: Need, scope: Scope): AdminError {
  const who = identity ? `caller "${echo(identity.userId || identity.appId)}"` : "anonymous caller";
  const what =
    need === "viewer" || need === "editor" || need === "admin" ? `lacks role ${need} on ${place(need, scope)}` : "lacks the authentication this call needs";
  return new AdminError(ErrorCode.PermissionDenied, cutBytes(`${who} ${what}`, maxMessageBytes));
}
