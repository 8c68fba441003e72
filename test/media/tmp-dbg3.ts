import type { AudioFrame } from "../../src/media/index.js";
import {
  bestLagCorrelation,
  concatFrames,
  delay,
  runtimePortAllocator,
  sessionPair,
  speechLikeFrames,
} from "./media-test-helpers.js";

const allocator = await runtimePortAllocator();
for (const codec of ["PCMU/8000", "PCMA/8000", "PCMU/8000"]) {
  const { a, b } = await sessionPair(allocator, codec);
  const got: AudioFrame[] = [];
  b.on("frame", (f) => got.push(f));
  const sent = speechLikeFrames(1.5, 16000);
  const h = a.play(sent);
  const r = await h.finished;
  await delay(400);
  const all = concatFrames(got);
  const energy = got.map((f) =>
    Math.round(Math.sqrt(f.samples.reduce((s, v) => s + v * v, 0) / f.samples.length)),
  );
  console.log(
    codec,
    r,
    bestLagCorrelation(concatFrames(sent), all, 16000),
    JSON.stringify(b.stats().jitterBuffer),
    energy.join(","),
  );
  a.close();
  b.close();
}
