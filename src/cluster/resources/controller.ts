// The cluster-resource controller (upstream's clusterresource.Controller): for each project × domain,
// the namespace from namespace_mapping.template and every *.yaml of templatePath (sorted), filled with
// the values (values.ts) and applied to every cluster (apply.ts), where the cluster's discovery says the
// kind lives. A checksum per cluster, namespace and file skips what was applied unchanged before, by
// this process. A namespace's errors are collected and reported; they never stop the other namespaces.
// A few namespaces are synced at once: each waits on its cluster's answers, not on this process.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config/schema";
import { namespaceFor } from "../../domain/executions/settings";
import type { Logger } from "../../kernel/log";
import { applyObject, type ApplyOutcome } from "./apply";
import { Discovery } from "./discovery";
import { NamespaceEnsurer } from "./ensure";
import { ClusterResourceMetrics } from "./metrics";
import type { NamespaceFailure, SyncReport } from "./report";
import { pathOf } from "./paths";
import { parseObjects, renderText, TemplateError, type KubeObject } from "./render";
import type { ResourceSource } from "./source";
import type { ResourceTarget } from "./targets";
import { checkDataKeys, namespaceValues, readData, type DataSource, type TemplateValues } from "./values";

export interface ControllerSettings {
  /** "": no templates. */
  templatePath: string;
  templateData: Record<string, DataSource>;
  customData: Record<string, Record<string, DataSource>>;
  namespaceTemplate: string;
  domains: Array<{ id: string; name: string }>;
  /** With no templatePath, a sync still creates the namespaces. */
  ensureNamespace: boolean;
}

export function controllerSettings(config: Config): ControllerSettings {
  const c = config.cluster_resources;
  return {
    templatePath: c.templatePath,
    templateData: c.templateData,
    customData: c.customData,
    namespaceTemplate: config.namespace_mapping.template,
    domains: config.domains,
    ensureNamespace: c.ensureNamespace,
  };
}

/** A whole sync could not run (the projects or the template folder could not be read). */
export class SyncError extends Error {
  override readonly name = "SyncError";
}

export type { NamespaceFailure, SyncReport } from "./report";

interface Template {
  file: string;
  text: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Namespaces synced at once. */
const parallelNamespaces = 4;

interface SyncPass {
  templates: Template[];
  base: TemplateValues;
  perDomain: Map<string, TemplateValues>;
  /** Each target's discovery (same order as the targets), fresh for this pass. */
  discovery: Discovery[];
  report: SyncReport;
}

export class ClusterResourceController {
  /** cluster id, namespace, file → sha-256 of the rendered text last applied everywhere it holds. */
  private readonly applied = new Map<string, string>();
  private readonly namespaces: NamespaceEnsurer;
  readonly metrics = new ClusterResourceMetrics();

  constructor(
    private readonly settings: ControllerSettings,
    private readonly source: ResourceSource,
    private readonly targets: ResourceTarget[],
    private readonly log: Logger,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {
    checkDataKeys(settings.templateData, settings.customData);
    this.namespaces = new NamespaceEnsurer(log);
  }

  /** The namespace in every cluster, if absent (once per process); for the executor before a first FlyteWorkflow. */
  async ensureNamespace(namespace: string): Promise<void> {
    await Promise.all(this.targets.map((t) => this.namespaces.ensure(t, namespace)));
  }

  private templates(): Template[] {
    const dir = this.settings.templatePath;
    if (!dir) return [];
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    } catch (e) {
      throw new SyncError(`cluster_resources.templatePath ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? message(e)})`);
    }
    return files.sort().map((file) => {
      try {
        return { file, text: readFileSync(join(dir, file), "utf8") };
      } catch (e) {
        throw new SyncError(`template ${join(dir, file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? message(e)})`);
      }
    });
  }

  /** One pass over every project and domain. Throws SyncError only when nothing could be attempted. */
  async sync(): Promise<SyncReport> {
    const started = Date.now();
    let pass: SyncPass;
    let projects: string[];
    try {
      pass = {
        templates: this.templates(),
        base: readData(this.settings.templateData, "cluster_resources.templateData", this.env),
        perDomain: new Map(Object.entries(this.settings.customData).map(([d, data]) => [d, readData(data, `cluster_resources.customData.${d}`, this.env)])),
        discovery: this.targets.map((t) => new Discovery(t.client)),
        report: { namespaces: 0, created: 0, patched: 0, unchanged: 0, skipped: 0, failures: [] },
      };
      projects = await this.source.projects().catch((e: unknown) => {
        throw new SyncError(`listing projects: ${message(e)}`);
      });
    } catch (e) {
      this.metrics.failedSyncs++;
      throw e;
    }
    // The domain's id, as the executions' namespace is made (upstream's controller uses the name).
    const work = projects.flatMap((project) =>
      this.settings.domains.map((d) => ({ project, domain: d.id, namespace: namespaceFor(this.settings.namespaceTemplate, project, d.id) })),
    );
    const results: Array<NamespaceFailure | undefined> = new Array(work.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < work.length; i = next++) {
        const { project, domain, namespace } = work[i];
        const errors = await this.syncNamespace(namespace, project, domain, pass);
        if (errors.length > 0) {
          results[i] = { namespace, errors };
          this.log.warn("cluster resources failed", { namespace, errors });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelNamespaces, work.length) }, worker));
    const { report } = pass;
    report.namespaces = work.length;
    report.failures = results.filter((f) => f !== undefined);
    const ended = Date.now();
    this.metrics.recorded(report, (ended - started) / 1000, ended);
    const { failures, ...counts } = report;
    this.log.info("cluster resources synced", { ...counts, failed: failures.map((f) => f.namespace) });
    return report;
  }

  private async syncNamespace(namespace: string, project: string, domain: string, pass: SyncPass): Promise<string[]> {
    const errors: string[] = [];
    const { templates, report } = pass;
    if (templates.length === 0) {
      if (this.settings.ensureNamespace) await this.ensureNamespace(namespace).catch((e: unknown) => errors.push(message(e)));
      return errors;
    }
    let attributes: Record<string, string>;
    try {
      attributes = await this.source.attributes(project, domain);
    } catch (e) {
      return [`cluster resource attributes of ${project}/${domain}: ${message(e)}`];
    }
    const values = namespaceValues(pass.base, pass.perDomain.get(domain), attributes, { namespace, project, domain });
    for (const t of templates) {
      let text: string;
      let objects: KubeObject[];
      try {
        text = renderText(t.text, values, t.file);
        objects = parseObjects(text, t.file);
      } catch (e) {
        errors.push(message(e)); // a template error names its file
        continue;
      }
      const sum = createHash("sha256").update(text).digest("hex");
      for (const [i, target] of this.targets.entries()) {
        const key = `${target.id}\u0000${namespace}\u0000${t.file}`;
        if (this.applied.get(key) === sum) {
          report.skipped++;
          continue;
        }
        try {
          for (const o of objects) {
            const info = await pass.discovery[i].kind(o.apiVersion, o.kind, t.file);
            this.count(report, await applyObject(target, o, pathOf(o, info, namespace, t.file)));
          }
          this.applied.set(key, sum);
        } catch (e) {
          errors.push(e instanceof TemplateError ? message(e) : `${t.file}: ${message(e)}`);
        }
      }
    }
    return errors;
  }

  private count(report: SyncReport, outcome: ApplyOutcome): void {
    report[outcome]++;
  }

  /** Syncs now and every intervalMs until the signal aborts; a failed sync is logged and the loop goes on. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.sync();
      } catch (e) {
        this.log.error("cluster resource sync failed", { error: message(e) });
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, intervalMs);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }
}
