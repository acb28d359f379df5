// The HTTP/1.1 framing tap the connection timeouts rely on: where requests start, where headers and
// bodies end, whichever way the bytes are split, and which chunk sizes it refuses.
import { describe, expect, test } from "bun:test";
import { H1Framing } from "../src/edge/conn-h1-framing";

/** Feeds `wire` in pieces of `size` bytes and returns the events in order. */
function events(wire: string, size = wire.length): string[] {
  const out: string[] = [];
  const f = new H1Framing({
    start: () => out.push("start"),
    headers: () => out.push("headers"),
    end: () => out.push("end"),
    malformed: (reason) => out.push(`malformed: ${reason}`),
  });
  const bytes = Buffer.from(wire, "latin1");
  for (let at = 0; at < bytes.length; at += size) f.feed(bytes.subarray(at, at + size));
  return out;
}

const get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const sized = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
const chunked = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer: t\r\n\r\n";
const one = ["start", "headers", "end"];

describe("H1Framing", () => {
  test("requests without a body, with Content-Length and chunked (extensions, trailers), pipelined", () => {
    expect(events(get + sized + chunked)).toEqual([...one, ...one, ...one]);
  });

  test("the same bytes one at a time give the same events", () => {
    expect(events(get + sized + chunked, 1)).toEqual([...one, ...one, ...one]);
    expect(events(get + sized + chunked, 7)).toEqual([...one, ...one, ...one]);
  });

  test("bare LF line ends and empty lines between requests are followed", () => {
    expect(events(`GET / HTTP/1.1\nHost: x\n\n\r\n${get}`)).toEqual([...one, ...one]);
  });

  test("a request still being sent has started but not ended", () => {
    expect(events("POST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\nhalf")).toEqual(["start", "headers"]);
    expect(events("GET /a HTTP/1.1\r\nHost:")).toEqual(["start"]);
  });

  test("chunk sizes that are not hex, or beyond 2^53, are refused", () => {
    const head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect(events(`${head}FFFFFFFFFFFFFFFF\r\n`)).toEqual(["start", "headers", "malformed: chunk size FFFFFFFFFFFFFFFF is too large"]);
    expect(events(`${head}zz\r\n`)).toEqual(["start", "headers", 'malformed: invalid chunk size line "zz"']);
    expect(events(`${head}1FFFFFFFFFFFFF\r\n`)).toEqual(["start", "headers"]);
  });

  test("Transfer-Encoding wins over Content-Length; what it does not understand it leaves alone", () => {
    expect(events("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).toEqual(one);
    expect(events(`POST / HTTP/1.1\r\nContent-Length: x\r\n\r\nabc${get}`)).toEqual(["start", "headers"]);
    expect(events(`NOT HTTP\r\n\r\n${get}`)).toEqual(["start", "headers"]);
  });
});
