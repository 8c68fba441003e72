/**
 * CPU cost of one call's media path without sockets: per 20 ms tick, the pure cores a MediaSession
 * runs (OutboundStream: agent frame -> resample -> encode -> RTP; SRTP protect; SRTP unprotect ->
 * RTP parse -> InboundStream: jitter buffer -> decode -> resample to the pipeline rate), for `calls`
 * calls side by side (so caches see many sessions, as in production). The copy that stands for the
 * received datagram (node allocates one per datagram) is made outside the timed stages. Measured with
 * process.cpuUsage, so other processes on a shared machine do not inflate it; the socket and event
 * loop cost comes on top (the live part of session-bench measures everything).
 */
import {
  type AudioFrame,
  createCodec,
  generateSrtpMasterKey,
  InboundStream,
  OutboundStream,
  parseRtpPacket,
  type ResamplerRateHz,
  SrtpSession,
} from "../../src/media/index.js";

export interface MediaPathCost {
  /** CPU µs per call per 20 ms tick, by stage. */
  readonly stagesUs: Readonly<Record<"send" | "protect" | "unprotect" | "receive" | "pull", number>>;
  readonly totalUs: number;
  readonly cpuMsPerCallSecond: number;
  /**
   * ArrayBuffer backing-store bytes allocated per call per 20 ms: the median over ticks of the rise
   * of process.memoryUsage().arrayBuffers across one tick (a tick with a GC in it frees and reads
   * low, so the median of many ticks is used).
   */
  readonly arrayBufferBytesPerCallTick: number;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function mediaPathCost(
  codecSpec: string,
  pipelineRateHz: ResamplerRateHz,
  agentAudio: readonly AudioFrame[],
  calls = 200,
  ticks = 1000,
): MediaPathCost {
  const [name = "PCMU", clock = "8000"] = codecSpec.split("/");
  const codec = (): ReturnType<typeof createCodec> & object => {
    const c = createCodec(name, Number(clock), { opusSampleRateHz: pipelineRateHz });
    if (c === undefined) throw new Error(`no codec ${codecSpec}`);
    return c;
  };
  const key = generateSrtpMasterKey();
  const suite = "AES_CM_128_HMAC_SHA1_80";
  const sessions = Array.from({ length: calls }, () => {
    const encoder = codec();
    return {
      outbound: new OutboundStream({
        codec: encoder,
        payloadType: 96,
        telephoneEventClockRateHz: encoder.clockRateHz,
        sendSilence: true,
      }),
      inbound: new InboundStream({
        codec: codec(),
        payloadType: 96,
        telephoneEventClockRateHz: 8000,
        pipelineRateHz,
        ssrcSwitchAfterMs: 300,
      }),
      tx: new SrtpSession({ suite, ...key }),
      rx: new SrtpSession({ suite, ...key }),
      plain: new Uint8Array(0) as Uint8Array,
      wire: Buffer.alloc(0) as Buffer,
      wireBytes: -1,
    };
  });
  const stages = { send: 0, protect: 0, unprotect: 0, receive: 0, pull: 0 };
  const arrayBufferRises: number[] = [];
  const tick = (t: number, measure: boolean): void => {
    const arrayBuffers0 = process.memoryUsage().arrayBuffers;
    let at = cpuUs();
    const lap = (stage: keyof typeof stages): void => {
      const now = cpuUs();
      if (measure) stages[stage] += now - at;
      at = now;
    };
    for (const s of sessions) {
      if (s.outbound.utterances.idle) s.outbound.utterances.enqueue(agentAudio);
      const packet = s.outbound.nextPacket(t);
      s.outbound.packetSent(packet !== undefined, (packet?.length ?? 12) - 12);
      s.plain = packet ?? new Uint8Array(0);
    }
    lap("send");
    for (const s of sessions) {
      // As MediaSession does: SRTP in place in the stream's packet slot (the packet is its start).
      const slot = s.outbound.packetSlot;
      s.wireBytes = s.plain.length > 0 ? s.tx.protectRtpInPlace(slot, s.plain.length) : -1;
    }
    lap("protect");
    // A received datagram is a Buffer of its own (node allocates it); unprotect decrypts it in place.
    for (const s of sessions) {
      s.wire =
        s.wireBytes > 0 ? Buffer.from(s.outbound.packetSlot.subarray(0, s.wireBytes)) : Buffer.alloc(0);
    }
    at = cpuUs();
    for (const s of sessions) {
      const r = s.rx.unprotectRtp(s.wire, true);
      s.plain = r.ok ? r.packet : new Uint8Array(0);
    }
    lap("unprotect");
    for (const s of sessions) {
      const parsed = parseRtpPacket(s.plain);
      if (parsed.ok) s.inbound.accept(parsed.packet, t * 20);
    }
    lap("receive");
    for (const s of sessions) s.inbound.pull();
    lap("pull");
    if (measure) arrayBufferRises.push(process.memoryUsage().arrayBuffers - arrayBuffers0);
  };
  for (let t = 0; t < 100; t++) tick(t, false);
  for (let t = 100; t < 100 + ticks; t++) tick(t, true);
  const per = (us: number): number => us / ticks / calls;
  const stagesUs = {
    send: per(stages.send),
    protect: per(stages.protect),
    unprotect: per(stages.unprotect),
    receive: per(stages.receive),
    pull: per(stages.pull),
  };
  const totalUs = Object.values(stagesUs).reduce((a, b) => a + b, 0);
  arrayBufferRises.sort((a, b) => a - b);
  const medianRise = arrayBufferRises[arrayBufferRises.length >> 1] ?? 0;
  return {
    stagesUs,
    totalUs,
    cpuMsPerCallSecond: (totalUs * 50) / 1000,
    arrayBufferBytesPerCallTick: Math.max(0, medianRise) / calls,
  };
}
