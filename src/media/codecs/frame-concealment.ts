/** Repeat-with-fade concealment for codecs without their own PLC (G.711 Appendix I is the ideal; this is
 * the simple form): each consecutive lost frame repeats the last good one at a lower gain, then silence. */
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";

/** Gain per consecutive lost frame: 100%, 70%, 40%, 10%, then silence. */
const fadeSteps = [1, 0.7, 0.4, 0.1];

export class RepeatFadeConcealer {
  private last: Int16Array;
  private lostInRow = 0;

  constructor(private readonly sampleRateHz: number) {
    this.last = new Int16Array(samplesPerFrame(sampleRateHz));
  }

  /** Remember the last 20 ms of good audio. */
  remember(samples: Int16Array): void {
    const n = this.last.length;
    if (samples.length >= n) this.last = samples.slice(samples.length - n);
    else {
      const merged = new Int16Array(n);
      merged.set(this.last.subarray(samples.length), 0);
      merged.set(samples, n - samples.length);
      this.last = merged;
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
