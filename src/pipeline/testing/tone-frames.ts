/** Test audio for the STT engines: tones as 20 ms frames, and reading results up to the n-th final. */
import type { AudioFrame } from "../../media/index.js";
import type { SttResult, SttStream } from "../stt/stt-types.js";

/** `ms` of a tone (or silence when hz is 0) as 20 ms frames; the phase runs on across frames. */
export function toneFrames(sampleRateHz: number, hz: number, ms: number, amplitude = 0.3): AudioFrame[] {
  const per = sampleRateHz / 50;
  const out: AudioFrame[] = [];
  for (let f = 0; f < ms / 20; f++) {
    const samples = new Int16Array(per);
    for (let i = 0; i < per; i++) {
      const n = f * per + i;
      samples[i] =
        hz === 0 ? 0 : Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * n) / sampleRateHz));
    }
    out.push({ samples, sampleRateHz });
  }
  return out;
}

/** The stream's results up to and including its `finals`-th final. */
export async function resultsUntilFinal(stream: SttStream, finals: number): Promise<SttResult[]> {
  const out: SttResult[] = [];
  for await (const r of stream.results()) {
    out.push(r);
    if (out.filter((x) => x.final).length === finals) break;
  }
  return out;
}
