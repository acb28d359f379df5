// Execution names: the client's, checked as upstream checks them, or generated like upstream's
// ("a" + 19 characters from Kubernetes' random-string alphabet, which avoids vowels and look-alikes).
import { randomInt } from "node:crypto";
import { invalidArgument } from "../../kernel/errors";

const alphabet = "bcdfghjklmnpqrstvwxz2456789";
const maxLength = 63;
const pattern = /^[a-z][a-z\-0-9]*$/;

export function generateExecutionName(): string {
  let s = "a";
  for (let i = 0; i < 19; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A requested name must be a lower-case DNS-like label of at most 63 characters. */
export function checkExecutionName(name: string): void {
  const lower = name.toLowerCase();
  if (lower.length > maxLength) throw invalidArgument(`size of name exceeded length ${maxLength} : ${lower}`);
  if (!pattern.test(lower)) throw invalidArgument(`invalid name format: ${lower}, does not match regex '${pattern.source}'`);
}
