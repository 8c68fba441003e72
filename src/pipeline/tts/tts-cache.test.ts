import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { FakeTtsProvider } from "../testing/fake-engines.js";
import { CachingTtsProvider } from "./tts-cache.js";

async function frames(tts: CachingTtsProvider, text: string) {
  const out = [];
  for await (const c of tts.synthesize({ text, sampleRateHz: 16000, signal: new AbortController().signal }))
    out.push(c);
  return out;
}

describe("TTS cache", () => {
  test("repeated phrases come from memory; the LRU stays within its byte bound", async () => {
    const inner = new FakeTtsProvider(new FakeClock());
    const tts = new CachingTtsProvider(inner, { maxBytes: 40_000 });
    const first = await frames(tts, "One moment.");
    const again = await frames(tts, "One moment.");
    assert.equal(inner.requests.length, 1);
    assert.deepEqual(
      again.map((c) => c.frame.samples),
      first.map((c) => c.frame.samples),
    );
    assert.deepEqual(again[0]?.words, first[0]?.words);
    assert.equal(tts.hits, 1);
    for (const text of ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]) await frames(tts, text);
    assert.ok(tts.sizeBytes <= 40_000, `${tts.sizeBytes}`);
    await frames(tts, "One moment.");
    assert.equal(inner.requests.filter((t) => t === "One moment.").length, 2, "evicted, synthesized again");
  });

  test("a disk directory survives a new cache instance", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tts-cache-"));
    try {
      const inner = new FakeTtsProvider(new FakeClock());
      const first = await frames(new CachingTtsProvider(inner, { dir }), "Thanks for calling.");
      assert.equal((await readdir(dir)).length, 1);
      const second = new CachingTtsProvider(inner, { dir });
      const again = await frames(second, "Thanks for calling.");
      assert.equal(inner.requests.length, 1);
      assert.equal(second.hits, 1);
      assert.deepEqual(
        again.map((c) => c.frame.samples),
        first.map((c) => c.frame.samples),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
