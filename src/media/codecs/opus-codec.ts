/**
 * Opus through @evan/opus (libopus native binding). RTP clock is always 48000 (RFC 7587 4.1) whatever
 * rate we decode at; SDP always says opus/48000/2 (RFC 7587 7) even for mono.
 */
import { Decoder, Encoder } from "@evan/opus";
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";
import type { AudioCodec, CodecCounters } from "./codec-types.js";
import { assertRate } from "./g711-codec.js";

export type OpusSampleRateHz = 8000 | 16000 | 24000 | 48000;

export interface OpusCodecOptions {
  readonly sampleRateHz: OpusSampleRateHz;
  /** RTP timestamp clock; 48000 per RFC 7587 (RingCentral also offers a non-standard OPUS/16000). */
  readonly rtpClockRateHz?: number;
  /** Target bitrate in bit/s; default 24000 (wideband speech). */
  readonly bitrateBps?: number;
  /** Encode in-band FEC (RFC 7587 3.1.2) — useful when the peer signalled useinbandfec=1. */
  readonly inbandFec?: boolean;
  /** Expected loss percentage hint for the encoder. */
  readonly packetLossPercent?: number;
}

const maxPacketBytes = 1275 * 3 + 7;

class OpusCodec implements AudioCodec {
  readonly name = "opus";
  readonly clockRateHz: number;
  readonly sampleRateHz: OpusSampleRateHz;
  readonly timestampUnitsPerFrame: number;
  readonly counters: CodecCounters = { decodeErrors: 0, concealedFrames: 0 };
  private encoder: Encoder;
  private decoder: Decoder;
  /** TOC byte of the last good packet; a TOC with code 0 and no frame data asks libopus for PLC. */
  private lastToc: number | undefined;

  constructor(private readonly options: OpusCodecOptions) {
    this.sampleRateHz = options.sampleRateHz;
    this.clockRateHz = options.rtpClockRateHz ?? 48000;
    this.timestampUnitsPerFrame = this.clockRateHz / 50;
    this.encoder = this.makeEncoder();
    this.decoder = new Decoder({ channels: 1, sample_rate: options.sampleRateHz });
  }

  private makeEncoder(): Encoder {
    const e = new Encoder({ channels: 1, sample_rate: this.options.sampleRateHz, application: "voip" });
    e.bitrate = this.options.bitrateBps ?? 24000;
    e.signal = "voice";
    if (this.options.inbandFec) e.inband_fec = true;
    if (this.options.packetLossPercent !== undefined) e.packet_loss = this.options.packetLossPercent;
    return e;
  }

  encode(frame: AudioFrame): Uint8Array {
    assertRate(frame, this.sampleRateHz);
    // The binding returns a view into a shared buffer; copy so the packet survives the next call.
    return new Uint8Array(this.encoder.encode(frame.samples));
  }

  decode(payload: Uint8Array): AudioFrame[] {
    if (payload.length === 0 || payload.length > maxPacketBytes) {
      this.counters.decodeErrors++;
      return [];
    }
    let pcm: Int16Array;
    try {
      pcm = bytesToPcm(this.decoder.decode(payload));
    } catch {
      this.counters.decodeErrors++;
      return [];
    }
    this.lastToc = payload[0];
    return splitFrames(pcm, this.sampleRateHz);
  }

  /**
   * RFC 6716 3.2.1: a frame of zero length (TOC only, code 0) is a lost/DTX frame and the decoder
   * conceals it. The binding rejects an empty buffer, so we hand it the last TOC byte alone, with
   * its frame size forced to 20 ms in the same mode where the config allows.
   */
  plc(): AudioFrame {
    this.counters.concealedFrames++;
    const n = samplesPerFrame(this.sampleRateHz);
    const toc = this.lastToc;
    if (toc !== undefined) {
      try {
        const pcm = bytesToPcm(this.decoder.decode(Uint8Array.of(toc & 0xfc)));
        if (pcm.length >= n) return { samples: pcm.slice(0, n), sampleRateHz: this.sampleRateHz };
      } catch {
        // fall through to silence
      }
    }
    return { samples: new Int16Array(n), sampleRateHz: this.sampleRateHz };
  }

  reset(): void {
    this.encoder = this.makeEncoder();
    this.decoder = new Decoder({ channels: 1, sample_rate: this.sampleRateHz });
    this.lastToc = undefined;
  }
}

function bytesToPcm(bytes: Uint8Array): Int16Array {
  // Copy into an aligned buffer (the binding's output view may be unaligned and is reused).
  const pcm = new Int16Array(bytes.length >> 1);
  new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.length * 2));
  return pcm;
}

/** A 40/60 ms Opus packet decodes to several 20 ms frames; a 10 ms one to a short frame. */
function splitFrames(pcm: Int16Array, sampleRateHz: number): AudioFrame[] {
  const n = samplesPerFrame(sampleRateHz);
  if (pcm.length <= n) return [{ samples: pcm, sampleRateHz }];
  const frames: AudioFrame[] = [];
  for (let i = 0; i < pcm.length; i += n) frames.push({ samples: pcm.slice(i, i + n), sampleRateHz });
  return frames;
}

export function createOpusCodec(options: OpusCodecOptions): AudioCodec {
  return new OpusCodec(options);
}
