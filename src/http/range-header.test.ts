import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRangeHeader } from "./range-header.js";

test("Range: single ranges per RFC 9110 14.1.2", () => {
  assert.deepEqual(parseRangeHeader("bytes=0-499", 10_000), { kind: "range", start: 0, end: 499 });
  assert.deepEqual(parseRangeHeader("bytes=500-999", 10_000), { kind: "range", start: 500, end: 999 });
  assert.deepEqual(parseRangeHeader("bytes=9500-", 10_000), { kind: "range", start: 9_500, end: 9_999 });
  assert.deepEqual(parseRangeHeader("bytes=-500", 10_000), { kind: "range", start: 9_500, end: 9_999 });
  assert.deepEqual(parseRangeHeader("bytes=-20000", 10_000), { kind: "range", start: 0, end: 9_999 });
  assert.deepEqual(parseRangeHeader("bytes=9000-20000", 10_000), { kind: "range", start: 9_000, end: 9_999 });
  assert.deepEqual(parseRangeHeader("BYTES = 1-1", 10), { kind: "range", start: 1, end: 1 });
});

test("Range: unsatisfiable", () => {
  assert.deepEqual(parseRangeHeader("bytes=10000-", 10_000), { kind: "unsatisfiable" });
  assert.deepEqual(parseRangeHeader("bytes=-0", 10_000), { kind: "unsatisfiable" });
  assert.deepEqual(parseRangeHeader("bytes=0-", 0), { kind: "unsatisfiable" });
  assert.deepEqual(parseRangeHeader("bytes=-5", 0), { kind: "unsatisfiable" });
});

test("Range: ignored (full response) when absent, invalid, multi-range or another unit", () => {
  for (const header of [
    undefined,
    "",
    "bytes",
    "bytes=",
    "bytes=-",
    "bytes=5-1",
    "bytes=a-b",
    "bytes=1-2x",
    "bytes=0-1,5-6",
    "items=0-1",
    "bytes=99999999999999999-",
    "bytes=--1",
  ]) {
    assert.deepEqual(parseRangeHeader(header, 100), { kind: "none" }, String(header));
  }
});

test("Range: random headers never throw and always give an in-bounds range", () => {
  const alphabet = "bytes=-0123456789, ab";
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  for (let i = 0; i < 5_000; i++) {
    let header = "";
    const length = next() % 16;
    for (let j = 0; j < length; j++) header += alphabet[next() % alphabet.length];
    const size = next() % 50;
    const result = parseRangeHeader(header, size);
    if (result.kind === "range") {
      assert.ok(result.start >= 0 && result.start <= result.end && result.end < size, `${header} / ${size}`);
    }
  }
});
