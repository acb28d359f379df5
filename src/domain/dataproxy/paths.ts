// What a client may put into an upload's key. The parts of CreateUploadLocation become folders of the
// blob store, so a `..` segment (or an absolute path, NUL, a control character) would let any client sign
// and fill a location in another project's space; such parts are refused, naming the field.
import { echo, invalidArgument } from "../../kernel/errors";

// C0 controls, DEL and C1 controls: never part of a key a user meant.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const control = /[\u0000-\u001f\u007f-\u009f]/;

function checkSegment(field: string, value: string, segment: string): void {
  if (segment === "" || segment === "." || segment === "..") {
    throw invalidArgument(`${field} [${echo(value)}] must not contain empty, "." or ".." path segments`);
  }
}

/** One folder name: project, domain, org. */
export function checkName(field: string, value: string): void {
  if (value === "") return;
  if (control.test(value)) throw invalidArgument(`${field} must not contain control characters`);
  if (value.includes("/")) throw invalidArgument(`${field} [${echo(value)}] must not contain "/"`);
  checkSegment(field, value, value);
}

/** A relative path below the project's folder: filename_root, filename ("/" separates segments). */
export function checkRelativePath(field: string, value: string): void {
  if (value === "") return;
  if (control.test(value)) throw invalidArgument(`${field} must not contain control characters`);
  for (const segment of value.split("/")) checkSegment(field, value, segment);
}
