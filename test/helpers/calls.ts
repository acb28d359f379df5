// Helpers for asserting on failed calls.
import { Code, ConnectError } from "@connectrpc/connect";

/** The error a call failed with; fails the test when the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("expected the call to fail, it succeeded");
}

/** "OK" or the gRPC code name the call ended with. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    return Code[ConnectError.from(e).code];
  }
}

/** The gRPC code name and message a call ended with (["OK", ""] when it succeeded). */
export async function answerOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
    return ["OK", ""];
  } catch (e) {
    const err = ConnectError.from(e);
    return [Code[err.code], err.rawMessage];
  }
}
