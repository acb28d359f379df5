// Cron schedules as the runner reads them: five fields or an @descriptor (robfig/cron's ParseStandard),
// beyond upstream an optional `CRON_TZ=<zone>` or `TZ=<zone>` prefix naming the schedule's time zone.
// One parser for activation and the runner, so whatever activation accepts is what runs.
import { Cron } from "croner";

export interface CronSpec {
  /** The IANA zone of the prefix; undefined: the runner's default (the process's, or UTC). */
  zone: string | undefined;
  /** The five fields or the descriptor, without the prefix. */
  pattern: string;
}

const descriptors = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

function zoneIsKnown(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The cron text split and checked; throws an Error whose message says what is wrong. */
export function parseCronSpec(text: string): CronSpec {
  let rest = text.trim();
  let zone: string | undefined;
  const prefix = /^(CRON_TZ|TZ)=(\S+)\s+/.exec(rest);
  if (prefix) {
    zone = prefix[2];
    rest = rest.slice(prefix[0].length).trim();
    if (!zone || !zoneIsKnown(zone)) throw new Error(`unknown time zone ${prefix[2]}`);
  }
  if (rest.startsWith("@")) {
    if (!descriptors.has(rest)) throw new Error(`unknown descriptor ${rest}`);
  } else {
    const fields = rest.split(/\s+/).filter(Boolean).length;
    if (fields !== 5) throw new Error(`expected exactly 5 fields, found ${fields}: ${text}`);
  }
  // croner checks the fields' ranges and syntax.
  new Cron(rest, { paused: true, timezone: zone ?? "UTC" });
  return { zone, pattern: rest };
}

/** The ticks of a spec: the first strictly after `after` (epoch ms), or undefined when it never fires again. */
export function cronTicks(spec: CronSpec, defaultZone: string | undefined): (after: number) => number | undefined {
  const timezone = spec.zone ?? defaultZone;
  // Built once: croner's constructor (and its time-zone formatter) costs far more than a lookup.
  const cron = new Cron(spec.pattern, timezone ? { paused: true, timezone } : { paused: true });
  return (after) => cron.nextRun(new Date(after))?.getTime();
}
