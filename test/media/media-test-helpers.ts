/** Helpers for media session integration tests: SDP-negotiated session pairs, signals, correlation. */
import { createSocket } from "node:dgram";
import {
  type AudioFrame,
  answerOffer,
  createLocalOrigin,
  createOffer,
  formatInlineKeyParams,
  generateSrtpMasterKey,
  type MediaCapabilities,
  MediaSession,
  type MediaSessionOptions,
  type NegotiatedMedia,
  parseSdp,
  processAnswer,
  RtpPortAllocator,
  type SessionDescription,
  serializeSdp,
} from "../../src/media/index.js";

/** An allocator over 400 ports near a port the kernel just gave us (chosen at run time). */
export async function runtimePortAllocator(): Promise<RtpPortAllocator> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const base = port + 400 > 65534 ? port - 400 : port;
  return new RtpPortAllocator({ minPort: base, maxPort: base + 400 });
}

export function capabilities(codec: string, port: number, srtp: boolean, rtcpMux = false): MediaCapabilities {
  return {
    codecs: [codec],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80"],
    srtpPolicy: srtp ? "mandatory" : "off",
    address: "127.0.0.1",
    port,
    ptimeMs: 20,
    rtcpMux,
    generateKeyParams: (suite) => formatInlineKeyParams(generateSrtpMasterKey(suite)),
  };
}

/** SDP text round trip, as it would cross the wire. */
export function overTheWire(sdp: SessionDescription): SessionDescription {
  const parsed = parseSdp(serializeSdp(sdp));
  if (!parsed.ok) throw new Error(`SDP did not parse back: ${parsed.error}`);
  return parsed.sdp;
}

export interface NegotiatedPair {
  readonly offerer: NegotiatedMedia;
  readonly answerer: NegotiatedMedia;
}

/** Offer from port A, answer from port B, through SDP text both ways. */
export function negotiate(
  codec: string,
  portA: number,
  portB: number,
  srtp: boolean,
  rtcpMux = false,
): NegotiatedPair {
  const capsA = capabilities(codec, portA, srtp, rtcpMux);
  const capsB = capabilities(codec, portB, srtp, rtcpMux);
  const offer = createOffer({ capabilities: capsA, origin: createLocalOrigin("1", "127.0.0.1") });
  const answered = answerOffer({
    offer: overTheWire(offer),
    capabilities: capsB,
    origin: createLocalOrigin("2", "127.0.0.1"),
  });
  if (!answered.ok) throw new Error(`answer failed: ${answered.reason}`);
  const processed = processAnswer(offer, overTheWire(answered.answer), capsA);
  if (!processed.ok) throw new Error(`processAnswer failed: ${processed.reason}`);
  return { offerer: processed.negotiated, answerer: answered.negotiated };
}

export async function sessionPair(
  allocator: RtpPortAllocator,
  codec: string,
  options: MediaSessionOptions & { srtp?: boolean; rtcpMux?: boolean } = {},
): Promise<{ a: MediaSession; b: MediaSession; negotiated: NegotiatedPair }> {
  const a = await MediaSession.open({ allocator, address: "127.0.0.1" }, options);
  const b = await MediaSession.open({ allocator, address: "127.0.0.1" }, options);
  const negotiated = negotiate(
    codec,
    a.localPort,
    b.localPort,
    options.srtp ?? true,
    options.rtcpMux ?? false,
  );
  a.configure(negotiated.offerer);
  b.configure(negotiated.answerer);
  return { a, b, negotiated };
}

/**
 * Speech-like test signal: a voiced source (harmonics of a gliding 110-220 Hz pitch, roll-off
 * above 3 kHz) under a 4 Hz syllable envelope, as 20 ms frames.
 */
export function speechLikeFrames(seconds: number, sampleRateHz: number): AudioFrame[] {
  const n = Math.round(seconds * sampleRateHz);
  const samples = new Int16Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    const f0 = 165 + 55 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sampleRateHz;
    let v = 0;
    for (let h = 1; h * f0 < 3200; h++) v += Math.sin(h * phase) / (1 + 0.3 * h);
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    samples[i] = Math.round(v * envelope * 3000);
  }
  return toFrames(samples, sampleRateHz);
}

export function toFrames(samples: Int16Array, sampleRateHz: number): AudioFrame[] {
  const size = sampleRateHz / 50;
  const frames: AudioFrame[] = [];
  for (let at = 0; at + size <= samples.length; at += size) {
    frames.push({ samples: samples.slice(at, at + size), sampleRateHz });
  }
  return frames;
}

export function concatFrames(frames: readonly AudioFrame[]): Int16Array {
  const total = frames.reduce((sum, f) => sum + f.samples.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const f of frames) {
    out.set(f.samples, at);
    at += f.samples.length;
  }
  return out;
}

function ncc(a: Int16Array, b: Int16Array, lag: number, length: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0;
    const y = b[i + lag] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Normalised cross-correlation of `sent` with `received` at the best lag: the lag is found with the
 * first 250 ms of `sent`, then the whole of `sent` is compared there.
 */
export function bestLagCorrelation(
  sent: Int16Array,
  received: Int16Array,
  sampleRateHz: number,
): { lag: number; correlation: number } {
  const probe = Math.min(sent.length, Math.round(sampleRateHz / 4));
  let bestLag = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (let lag = 0; lag + sent.length <= received.length; lag++) {
    const c = ncc(sent, received, lag, probe);
    if (c > best) {
      best = c;
      bestLag = lag;
    }
  }
  return { lag: bestLag, correlation: ncc(sent, received, bestLag, sent.length) };
}

/**
 * Correlation that tolerates the jitter buffer's frame-level time warps (a dropped or inserted 20 ms
 * frame shifts the rest of the stream): the global lag comes from bestLagCorrelation, then each
 * 200 ms segment of `sent` is aligned on its own within +-75 ms of it; the result is the
 * energy-weighted mean of the segment correlations.
 */
export function segmentedCorrelation(sent: Int16Array, received: Int16Array, sampleRateHz: number): number {
  const global = bestLagCorrelation(sent, received, sampleRateHz).lag;
  const segment = Math.round(sampleRateHz / 5);
  const slack = Math.round((sampleRateHz * 75) / 1000);
  let weighted = 0;
  let totalEnergy = 0;
  for (let start = 0; start + segment <= sent.length; start += segment) {
    const part = sent.subarray(start, start + segment);
    let energy = 0;
    for (const v of part) energy += v * v;
    let best = 0;
    for (let lag = Math.max(0, global + start - slack); lag <= global + start + slack; lag++) {
      if (lag + segment > received.length) break;
      best = Math.max(best, ncc(part, received, lag, segment));
    }
    weighted += best * energy;
    totalEnergy += energy;
  }
  return totalEnergy === 0 ? 0 : weighted / totalEnergy;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 10 ms until true or `timeoutMs` passes. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
