// Random names from Kubernetes' alphabet (no vowels, no confusable digits), as upstream uses.
import { randomInt } from "node:crypto";

const alphabet = "bcdfghjklmnpqrstvwxz2456789";

export function randomString(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
