// Go's one-line text form of a protobuf message (what `%v` and `.String()` print), used where upstream
// puts a message into an error text. Built on the library's text format, folded onto one line.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { toText } from "@bufbuild/protobuf/txtpb";

export function goText<D extends DescMessage>(schema: D, msg: MessageShape<D> | undefined): string {
  if (msg === undefined) return "<nil>";
  const lines = toText(schema, msg).split("\n");
  let out = "";
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    // "name: value" → "name:value"; the first ": " always follows the field name.
    const folded = line.replace(/^([\w.[\]/]+): /, "$1:");
    if (out !== "" && !out.endsWith("{") && folded !== "}") out += " ";
    out += folded;
  }
  return out;
}
