/**
 * G.722 at 64 kbit/s (mode 1): 16 kHz audio, two sub-bands by QMF, 6-bit ADPCM low band and 2-bit
 * ADPCM high band, one byte per two input samples. RTP clock 8000 (RFC 3551 4.5.2: "the RTP clock
 * rate ... is 8,000 Hz" although the sampling rate is 16,000 Hz) so 20 ms = 160 timestamp units.
 */
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";
import type { AudioCodec, CodecCounters } from "./codec-types.js";
import { RepeatFadeConcealer } from "./frame-concealment.js";
import { assertRate } from "./g711-codec.js";
import {
  adaptHighScale,
  adaptLowScale,
  block4,
  G722Band,
  qm2,
  qm4,
  qmfCoeffs,
  saturate16,
} from "./g722-adpcm.js";

const q6 = [
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219,
  1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
];
const iln = [
  0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7,
  6, 5, 4, 0,
];
const ilp = [
  0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
  35, 34, 33, 32, 0,
];
const ihn = [0, 1, 0];
const ihp = [0, 3, 2];
const qm6 = [
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
  -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688,
  -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192,
  6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432,
  -136,
];
const at = (arr: ArrayLike<number>, i: number): number => arr[i] as number;

export class G722Encoder {
  private readonly low = new G722Band(32);
  private readonly high = new G722Band(8);
  private readonly x = new Int32Array(24);

  /** 2n samples at 16 kHz -> n bytes. */
  encode(samples: Int16Array): Uint8Array {
    const out = new Uint8Array(samples.length >> 1);
    const x = this.x;
    const low = this.low;
    const high = this.high;
    for (let j = 0, k = 0; k < out.length; k++) {
      // Transmit QMF: shift in two samples, keep every other output.
      x.copyWithin(0, 2);
      x[22] = samples[j++] ?? 0;
      x[23] = samples[j++] ?? 0;
      let sumOdd = 0;
      let sumEven = 0;
      for (let i = 0; i < 12; i++) {
        sumOdd += (x[2 * i] as number) * at(qmfCoeffs, i);
        sumEven += (x[2 * i + 1] as number) * at(qmfCoeffs, 11 - i);
      }
      const xlow = (sumEven + sumOdd) >> 14;
      const xhigh = (sumEven - sumOdd) >> 14;

      // Block 1L SUBTRA, QUANTL
      const el = saturate16(xlow - low.s);
      let wd = el >= 0 ? el : -(el + 1);
      let i = 1;
      for (; i < 30; i++) {
        if (wd < (at(q6, i) * low.det) >> 12) break;
      }
      const ilow = el < 0 ? at(iln, i) : at(ilp, i);
      // Block 2L INVQAL, 3L, 4L
      const ril = ilow >> 2;
      const dlow = (low.det * at(qm4, ril)) >> 15;
      adaptLowScale(low, ril);
      block4(low, dlow);

      // Block 1H SUBTRA, QUANTH
      const eh = saturate16(xhigh - high.s);
      wd = eh >= 0 ? eh : -(eh + 1);
      const mih = wd >= (564 * high.det) >> 12 ? 2 : 1;
      const ihigh = eh < 0 ? at(ihn, mih) : at(ihp, mih);
      // Block 2H INVQAH, 3H, 4H
      const dhigh = (high.det * at(qm2, ihigh)) >> 15;
      adaptHighScale(high, ihigh);
      block4(high, dhigh);

      out[k] = ((ihigh << 6) | ilow) & 0xff;
    }
    return out;
  }
}

export class G722Decoder {
  private low = new G722Band(32);
  private high = new G722Band(8);
  private readonly x = new Int32Array(24);

  /** n bytes -> 2n samples at 16 kHz. */
  decode(data: Uint8Array): Int16Array {
    const out = new Int16Array(data.length * 2);
    const x = this.x;
    const low = this.low;
    const high = this.high;
    let o = 0;
    for (const code of data) {
      const ilow = code & 0x3f;
      const ihigh = (code >> 6) & 0x03;
      // Block 5L: LOW BAND INVQBL with the full 6-bit code, RECONS, LIMIT
      let rlow = low.s + ((low.det * at(qm6, ilow)) >> 15);
      if (rlow > 16383) rlow = 16383;
      else if (rlow < -16384) rlow = -16384;
      // Block 2L: INVQAL with the 4-bit code (the predictor sees only what a 48k decoder would)
      const ril = ilow >> 2;
      const dlowt = (low.det * at(qm4, ril)) >> 15;
      adaptLowScale(low, ril);
      block4(low, dlowt);

      // Block 2H, 5H, 6H
      const dhigh = (high.det * at(qm2, ihigh)) >> 15;
      let rhigh = dhigh + high.s;
      if (rhigh > 16383) rhigh = 16383;
      else if (rhigh < -16384) rhigh = -16384;
      adaptHighScale(high, ihigh);
      block4(high, dhigh);

      // Receive QMF
      x.copyWithin(0, 2);
      x[22] = rlow + rhigh;
      x[23] = rlow - rhigh;
      let xout1 = 0;
      let xout2 = 0;
      for (let i = 0; i < 12; i++) {
        xout2 += (x[2 * i] as number) * at(qmfCoeffs, i);
        xout1 += (x[2 * i + 1] as number) * at(qmfCoeffs, 11 - i);
      }
      out[o++] = saturate16(xout1 >> 11);
      out[o++] = saturate16(xout2 >> 11);
    }
    return out;
  }

  reset(): void {
    this.low = new G722Band(32);
    this.high = new G722Band(8);
    this.x.fill(0);
  }
}

class G722Codec implements AudioCodec {
  readonly name = "G722";
  readonly clockRateHz = 8000;
  readonly sampleRateHz = 16000;
  readonly timestampUnitsPerFrame = 160;
  readonly counters: CodecCounters = { decodeErrors: 0, concealedFrames: 0 };
  private encoder = new G722Encoder();
  private readonly decoder = new G722Decoder();
  private readonly concealer = new RepeatFadeConcealer(16000);

  encode(frame: AudioFrame): Uint8Array {
    assertRate(frame, this.sampleRateHz);
    return this.encoder.encode(frame.samples);
  }

  decode(payload: Uint8Array): AudioFrame[] {
    if (payload.length === 0) {
      this.counters.decodeErrors++;
      return [];
    }
    const samples = this.decoder.decode(payload);
    this.concealer.remember(samples);
    return [{ samples, sampleRateHz: 16000 }];
  }

  plc(): AudioFrame {
    this.counters.concealedFrames++;
    return this.concealer.conceal();
  }

  reset(): void {
    this.encoder = new G722Encoder();
    this.decoder.reset();
    this.concealer.reset();
  }
}

export function createG722Codec(): AudioCodec {
  return new G722Codec();
}

export const g722SamplesPerFrame = samplesPerFrame(16000);
