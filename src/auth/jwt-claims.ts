// A verified JWS payload as JWT claims: a JSON object, or an Error saying why not (callers word the refusal).
export function claimsOf(payload: Uint8Array): Record<string, unknown> {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
  return parsed as Record<string, unknown>;
}
