// The building blocks of the config schema: sections, leaves with their defaults and docs, and the
// value types more than one section uses.
import { z } from "zod";
import { parseGoDuration } from "../kernel/duration";
import { parseQuantity } from "../kernel/k8s-quantity";

const isQuantity = (v: string) => {
  try {
    parseQuantity(v);
    return true;
  } catch {
    return false;
  }
};

export const port = z.number().int().min(0).max(65535);
/** A Kubernetes quantity ("500m", "1Gi"; a bare number is accepted too); "" means unset. */
export const quantity = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((v) => v === "" || isQuantity(v), { message: 'expected a Kubernetes quantity such as "500m" or "1Gi"' });
/** A Go duration string ("1h", "30m"), kept as text and read with parseGoDuration. */
export const goDuration = z.string().refine((v) => parseGoDuration(v) !== undefined && parseGoDuration(v)! >= 0, {
  message: 'expected a duration such as "1h" or "30m"',
});
export const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);
export const leaf = <T extends z.ZodType>(type: T, def: z.input<T>, doc: string) => type.default(def as never).describe(doc);
