// Version, commit and build time: baked in by scripts/build.ts (bun build --define); when running from
// source they fall back to the package version, "unknown" and the process start time, as upstream does.
declare const FLYTEADMIN_BUILD: { version: string; build: string; buildTime: string } | undefined;

const startedAt = new Date().toISOString();

export interface VersionInfo {
  version: string;
  build: string;
  buildTime: string;
}

export const versionInfo: VersionInfo =
  typeof FLYTEADMIN_BUILD !== "undefined" && FLYTEADMIN_BUILD ? FLYTEADMIN_BUILD : { version: "dev", build: "unknown", buildTime: startedAt };
