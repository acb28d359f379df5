// What one sync did, for the commands' output, the log and the metrics.
export interface NamespaceFailure {
  namespace: string;
  errors: string[];
}

export interface SyncReport {
  namespaces: number;
  created: number;
  patched: number;
  unchanged: number;
  /** Files whose rendered text was applied before, unchanged (nothing sent). */
  skipped: number;
  failures: NamespaceFailure[];
}
