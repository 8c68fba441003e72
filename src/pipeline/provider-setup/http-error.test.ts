import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRetryableStatus, parseErrorBody, retryAfterMsFrom } from "./http-error.js";
import { PcmFramer } from "./pcm-framer.js";

describe("provider HTTP errors", () => {
  test("each provider's error body shape", () => {
    assert.deepEqual(parseErrorBody({ error: { message: "m", type: "t", param: null, code: "c" } }), {
      message: "m",
      type: "t",
      code: "c",
    });
    assert.deepEqual(parseErrorBody({ detail: { status: "quota_exceeded", message: "m" } }), {
      message: "m",
      type: "quota_exceeded",
    });
    assert.deepEqual(parseErrorBody({ detail: [{ msg: "field required", type: "missing" }] }), {
      message: "field required",
      type: "missing",
    });
    assert.deepEqual(parseErrorBody({ err_code: "INVALID_AUTH", err_msg: "Invalid credentials." }), {
      message: "Invalid credentials.",
      type: "INVALID_AUTH",
    });
    assert.deepEqual(parseErrorBody({ error: "model not found" }), { message: "model not found" });
    assert.equal(parseErrorBody("text"), undefined);
    assert.equal(parseErrorBody(null), undefined);
  });

  test("Retry-After in ms, seconds and as an HTTP date", () => {
    const h = (m: Record<string, string>) => (n: string) => m[n];
    assert.equal(retryAfterMsFrom(h({ "retry-after-ms": "250" }), 0), 250);
    assert.equal(retryAfterMsFrom(h({ "retry-after": "2" }), 0), 2000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(retryAfterMsFrom(h({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), now), 3000);
    assert.equal(retryAfterMsFrom(h({ "retry-after": "soon" }), now), undefined);
    assert.equal(retryAfterMsFrom(h({}), now), undefined);
  });

  test("retryable statuses", () => {
    assert.deepEqual([400, 401, 403, 404, 408, 422, 429, 500, 503].map(isRetryableStatus), [
      false,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});

describe("PcmFramer", () => {
  test("bytes cut anywhere (even mid-sample) become exact 20 ms frames", () => {
    const samples = Int16Array.from({ length: 960 }, (_, i) => (i % 2 === 0 ? -i : i));
    const bytes = new Uint8Array(samples.buffer);
    const framer = new PcmFramer(24_000, 24_000);
    const out = [
      ...framer.push(bytes.subarray(0, 3)),
      ...framer.push(bytes.subarray(3, 1001)),
      ...framer.push(bytes.subarray(1001)),
    ];
    assert.equal(out.length, 2);
    assert.deepEqual([...(out[0]?.samples ?? [])], [...samples.subarray(0, 480)]);
    assert.deepEqual([...(out[1]?.samples ?? [])], [...samples.subarray(480)]);
    assert.deepEqual(framer.flush(), []);
    assert.equal(framer.push(bytes.subarray(0, 10)).length, 0);
    assert.equal(framer.flush()[0]?.samples.length, 480, "the tail is padded to a frame");
  });
});
