/** Repeat-with-fade concealment for codecs without their own PLC (G.711 Appendix I is the ideal; this is
 * the simple form): each consecutive lost frame repeats the last good one at a lower gain, then silence. */
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";

/** Gain per consecutive lost frame: 100%, 70%, 40%, 10%, then silence. */
const fadeSteps = [1, 0.7, 0.4, 0.1];

export class RepeatFadeConcealer {
  private readonly last: Int16Array;
  private lostInRow = 0;

  constructor(private readonly sampleRateHz: number) {
    this.last = new Int16Array(samplesPerFrame(sampleRateHz));
  }

  /**
   * Remember the last 20 ms of good audio, `samples[start, end)` (copied into our own buffer: no
   * allocation).
   */
  remember(samples: Int16Array, start = 0, end = samples.length): void {
    const last = this.last;
    const n = last.length;
    const count = end - start;
    if (count >= n) {
      for (let i = 0; i < n; i++) last[i] = samples[end - n + i] as number;
    } else {
      last.copyWithin(0, count);
      for (let i = 0; i < count; i++) last[n - count + i] = samples[start + i] as number;
    }
    this.lostInRow = 0;
  }

  conceal(): AudioFrame {
    const n = this.last.length;
    const startGain = fadeSteps[this.lostInRow] ?? 0;
    const endGain = fadeSteps[this.lostInRow + 1] ?? 0;
    this.lostInRow++;
    const out = new Int16Array(n);
    if (startGain > 0) {
      // Ramp the gain across the frame so consecutive concealed frames join without a step.
      for (let i = 0; i < n; i++) {
        const g = startGain + ((endGain - startGain) * i) / n;
        out[i] = Math.round((this.last[i] ?? 0) * g);
      }
    }
    return { samples: out, sampleRateHz: this.sampleRateHz };
  }

  reset(): void {
    this.last.fill(0);
    this.lostInRow = 0;
  }
}
