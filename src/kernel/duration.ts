// Go's time.Duration text form ("1h", "90m", "1.5s", "-300ms"), which upstream's config, filters and
// the REST gateway's query parameters use. One parser, exact to the nanosecond, with Go's messages.
const nanosPerUnit = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n],
  ["μs", 1_000n],
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

/** time.ParseDuration: nanoseconds, or an Error worded as Go's. */
export function parseGoDurationNanos(text: string): bigint {
  const quoted = JSON.stringify(text);
  const invalid = () => new Error(`time: invalid duration ${quoted}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  let total = 0n;
  if (rest !== "0") {
    if (rest === "") throw invalid();
    while (rest !== "") {
      const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
      const whole = m?.[1] ?? "";
      const fraction = m?.[2] ?? "";
      if (whole === "" && fraction === "") throw invalid();
      rest = rest.slice(m?.[0].length ?? 0);
      const unitText = /^[^\d.]*/.exec(rest)?.[0] ?? "";
      if (unitText === "") throw new Error(`time: missing unit in duration ${quoted}`);
      const unit = nanosPerUnit.get(unitText);
      if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}`);
      rest = rest.slice(unitText.length);
      total += BigInt(whole || "0") * unit;
      if (fraction !== "") total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
      if (total > (1n << 63n) - (negative ? 0n : 1n)) throw invalid();
    }
  }
  return negative ? -total : total;
}

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  try {
    return Number(parseGoDurationNanos(text.trim())) / 1e6;
  } catch {
    return undefined;
  }
}

/** Go's Duration.String() for whole milliseconds and up: "1h0m0s", "1m30s", "1.5s", "300ms". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${Number((rest / 1000).toFixed(3))}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
