// The controller's counters, for /metrics when it runs inside serve.
import type { SyncReport } from "./report";

export class ClusterResourceMetrics {
  syncs = 0;
  /** Syncs that could not run at all (no projects, unreadable templates). */
  failedSyncs = 0;
  namespaceFailures = 0;
  created = 0;
  patched = 0;
  unchanged = 0;
  skipped = 0;
  lastSyncSeconds = 0;
  /** Unix seconds of the last sync that ran; 0 before the first. */
  lastSyncTime = 0;

  recorded(report: SyncReport, seconds: number, now: number): void {
    this.syncs++;
    this.namespaceFailures += report.failures.length;
    this.created += report.created;
    this.patched += report.patched;
    this.unchanged += report.unchanged;
    this.skipped += report.skipped;
    this.lastSyncSeconds = seconds;
    this.lastSyncTime = Math.floor(now / 1000);
  }

  exposition(): string[] {
    const metric = (type: string, name: string, help: string, value: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`];
    const objects = "flyteadmin_cluster_resources_objects_total";
    return [
      ...metric("counter", "flyteadmin_cluster_resources_syncs_total", "Cluster resource syncs that ran.", this.syncs),
      ...metric("counter", "flyteadmin_cluster_resources_sync_failures_total", "Syncs that could not run at all.", this.failedSyncs),
      ...metric("counter", "flyteadmin_cluster_resources_namespace_failures_total", "Namespaces a sync could not bring up to date.", this.namespaceFailures),
      `# HELP ${objects} Template objects by what a sync did with them (skipped: unchanged since this process applied them).`,
      `# TYPE ${objects} counter`,
      ...(["created", "patched", "unchanged", "skipped"] as const).map((o) => `${objects}{outcome="${o}"} ${this[o]}`),
      ...metric("gauge", "flyteadmin_cluster_resources_last_sync_seconds", "How long the last sync took.", this.lastSyncSeconds),
      ...metric("gauge", "flyteadmin_cluster_resources_last_sync_timestamp_seconds", "When the last sync ran (Unix time).", this.lastSyncTime),
    ];
  }
}
