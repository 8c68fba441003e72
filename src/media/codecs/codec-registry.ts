/** Codecs by SDP encoding name (case-insensitive, RFC 4855 3: "media subtype names are case-insensitive"). */
import type { AudioCodec } from "./codec-types.js";
import { createPcmaCodec, createPcmuCodec } from "./g711-codec.js";
import { createG722Codec } from "./g722-codec.js";
import { createOpusCodec, type OpusSampleRateHz } from "./opus-codec.js";

export interface CodecFactoryOptions {
  /** Rate Opus should encode/decode at (the pipeline's rate avoids a resample); default 16000. */
  readonly opusSampleRateHz?: OpusSampleRateHz;
  readonly opusBitrateBps?: number;
  readonly opusInbandFec?: boolean;
}

export interface CodecDescriptor {
  /** SDP name as we write it. */
  readonly name: string;
  readonly clockRateHz: number;
  readonly channels: number;
  readonly staticPayloadType?: number;
  readonly create: (options: CodecFactoryOptions) => AudioCodec;
}

export const codecRegistry: ReadonlyMap<string, CodecDescriptor> = new Map<string, CodecDescriptor>([
  ["pcmu", { name: "PCMU", clockRateHz: 8000, channels: 1, staticPayloadType: 0, create: createPcmuCodec }],
  ["pcma", { name: "PCMA", clockRateHz: 8000, channels: 1, staticPayloadType: 8, create: createPcmaCodec }],
  ["g722", { name: "G722", clockRateHz: 8000, channels: 1, staticPayloadType: 9, create: createG722Codec }],
  [
    "opus",
    {
      name: "opus",
      clockRateHz: 48000,
      channels: 2,
      create: (o) =>
        createOpusCodec({
          sampleRateHz: o.opusSampleRateHz ?? 16000,
          ...(o.opusBitrateBps !== undefined ? { bitrateBps: o.opusBitrateBps } : {}),
          ...(o.opusInbandFec !== undefined ? { inbandFec: o.opusInbandFec } : {}),
        }),
    },
  ],
]);

/**
 * The codec for a negotiated SDP name and clock, or undefined when we do not implement it.
 * RingCentral also offers a non-standard "OPUS/16000"; Opus is created for any of its legal rates
 * with that RTP clock (timestamps then advance 320 per 20 ms), other codecs need the listed clock.
 */
const opusClockRates = new Set([8000, 12000, 16000, 24000, 48000]);

export function createCodec(
  name: string,
  clockRateHz: number,
  options: CodecFactoryOptions = {},
): AudioCodec | undefined {
  const key = name.toLowerCase();
  const d = codecRegistry.get(key);
  if (!d) return undefined;
  if (key === "opus" && opusClockRates.has(clockRateHz)) {
    return createOpusCodec({
      sampleRateHz: options.opusSampleRateHz ?? 16000,
      rtpClockRateHz: clockRateHz,
      ...(options.opusBitrateBps !== undefined ? { bitrateBps: options.opusBitrateBps } : {}),
      ...(options.opusInbandFec !== undefined ? { inbandFec: options.opusInbandFec } : {}),
    });
  }
  if (d.clockRateHz !== clockRateHz) return undefined;
  return d.create(options);
}
