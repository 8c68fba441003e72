/**
 * Child process for recording-crash.test.ts: records 3.2 s of stereo audio, waits for it to reach
 * the file, reports the duration its header declares, then idles (writing nothing) until SIGKILLed.
 *   node --import tsx test/store/recording-crash-child.ts WAV_PATH
 */
import { CallRecordingWriter } from "../../src/store/index.js";

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: recording-crash-child WAV_PATH");
const writer = await CallRecordingWriter.open({ path, sampleRateHz: 16_000, originMs: 0 });
for (let t = 0; t < 3_200; t += 20) {
  writer.writeCaller(new Int16Array(320).fill(1_111), t);
  writer.writeAgent(new Int16Array(320).fill(-2_222), t);
}
await writer.drain();
process.stdout.write(`patched ${writer.patchedDurationMs}\n`);
// Mid-call: the file stays open until the parent kills us (bounded in case the parent is gone).
setTimeout(() => process.exit(3), 60_000);
