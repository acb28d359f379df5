// Kubernetes resource quantities ("500m", "1.5Gi", "2", "1e3"), as task resources are written. Parsed
// to a number of base units; upstream compares quantities by value, so a float is exact enough.
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

export class QuantityError extends Error {
  override readonly name = "QuantityError";
}

/** The quantity's value in base units; throws QuantityError with Kubernetes' reason when malformed. */
export function parseQuantity(text: string): number {
  const s = text.trim();
  if (s === "") throw new QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const m = pattern.exec(s);
  if (!m) throw new QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const n = Number(m[1]);
  const suffix = m[2] ?? "";
  if (suffix in binary) return n * binary[suffix];
  if (suffix in decimal) return n * decimal[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

/** Whole number of base units (GPUs must be). */
export const isWholeQuantity = (text: string) => Math.round(parseQuantity(text) * 1000) % 1000 === 0;
