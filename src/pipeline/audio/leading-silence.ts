import type { PcmAudio } from "./wav-parse.js";

/** Sample magnitude below which audio counts as silence here (about -50 dBFS). */
const silentMagnitude = 100;

/**
 * Command-line synthesizers start every sentence with silence (flite: ~217 ms, then ~143 ms at the
 * end). Before the first sentence of a reply that silence is dead air the caller waits through, so
 * it is cut to `maxLeadMs` (keeping a short natural onset; between sentences the previous
 * sentence's trailing silence plus this lead still make the pause). Audio that never rises above
 * the silence level is returned unchanged.
 */
export function limitLeadingSilence(audio: PcmAudio, maxLeadMs = 40): PcmAudio {
  const samples = audio.samples;
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < silentMagnitude) first++;
  if (first === samples.length) return audio;
  const keep = Math.round((maxLeadMs * audio.sampleRateHz) / 1000);
  const cut = first - keep;
  if (cut <= 0) return audio;
  return { ...audio, samples: samples.subarray(cut) };
}
