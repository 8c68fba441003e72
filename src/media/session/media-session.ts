/**
 * One call's RTP/SRTP media over UDP (SDES keys, RFC 3550/3711/4733): owns the bound RTP/RTCP
 * sockets, is paced by the process pacer, and joins the pure cores (InboundStream, OutboundStream,
 * RtcpReporter). Inbound: SRTP unprotect -> RTP parse -> PT/SSRC checks -> DTMF or jitter buffer ->
 * decode -> pipeline-rate frames. Outbound per tick: voice/DTMF/silence -> RTP -> SRTP -> socket.
 *
 * Symmetric RTP (RFC 4961) with latching: we send to the source of the peer's valid (with SRTP:
 * authenticated) packets, so a peer behind NAT is reached where it really is. Bad datagrams never
 * throw: each is dropped and counted in stats().
 */
import type { RemoteInfo } from "node:dgram";
import { EventEmitter } from "node:events";
import { type Clock, newId, randomToken, silentLogger, type Timer } from "../../shared/index.js";
import type { AudioFrame } from "../audio/audio-frame.js";
import type { ResamplerRateHz } from "../audio/resampler.js";
import type { CodecFactoryOptions } from "../codecs/codec-registry.js";
import { type MediaPacer, type PacedSource, processMediaPacer } from "../pacing/media-pacer.js";
import { isRtcpPacket, parseRtpPacket, type RtpPacket } from "../rtp/rtp-packet.js";
import type { NegotiatedMedia } from "../sdp/sdp-negotiation-types.js";
import type { SrtpEngine } from "../srtp/srtp-primitives.js";
import type { SrtpFailure } from "../srtp/srtp-session.js";
import { createDatagramSender, type DatagramSender } from "./datagram-sender.js";
import { FrameQueue } from "./frame-queue.js";
import { InboundStream } from "./inbound-stream.js";
import { newMediaSessionCounters } from "./media-session-counters.js";
import {
  defaultMediaSessionOptions,
  type MediaEndpoint,
  type MediaSessionEvents,
  type MediaSessionLike,
  type MediaSessionOptions,
  type MediaSessionStats,
} from "./media-session-types.js";
import { OutboundStream } from "./outbound-stream.js";
import { ReceivedDatagramQueue } from "./received-datagram-queue.js";
import { RtcpReporter, randomizedRtcpIntervalMs } from "./rtcp-reporter.js";
import { type BindRtpSocketsOptions, bindRtpSockets, type RtpSockets } from "./rtp-port-allocator.js";
import { RtpSourceLatch } from "./rtp-source-latch.js";
import {
  createNegotiatedCodec,
  createSrtpPair,
  type ResolvedMedia,
  resolveNegotiatedMedia,
  type SrtpPair,
  sharedSilencePayload,
} from "./session-config.js";
import {
  type FlushResult,
  type UtteranceHandle,
  UtteranceQueue,
  type UtteranceSource,
} from "./utterance-queue.js";

const defaultTelephoneEventClockRateHz = 8000;

/** Received frames handed to the pipeline per pacer sub-tick at most (catch-up after a stall). */
const maxFramesPerSubTick = 4;

export class MediaSession extends EventEmitter<MediaSessionEvents> implements MediaSessionLike, PacedSource {
  readonly id = newId();
  readonly sockets: RtpSockets;
  readonly #rtpSender: DatagramSender;
  readonly #pacer: MediaPacer;
  readonly #clock: Clock;
  readonly #pipelineRateHz: ResamplerRateHz;
  readonly #sendSilence: boolean;
  readonly #frameQueueFrames: number;
  readonly #rtcpIntervalMs: number;
  readonly #maxDatagramBytes: number;
  readonly #codecOptions: CodecFactoryOptions;
  readonly #options: MediaSessionOptions;
  readonly #reporter: RtcpReporter;
  readonly #utterances: UtteranceQueue;
  readonly #sourceLatch: RtpSourceLatch;
  #media: ResolvedMedia | undefined;
  #inbound: InboundStream | undefined;
  #outbound: OutboundStream | undefined;
  #srtp: SrtpPair | undefined;
  #rtpTarget: MediaEndpoint | undefined;
  #rtcpTarget: MediaEndpoint | undefined;
  #frameQueue: FrameQueue | undefined;
  #framesDroppedBefore = 0;
  #unregister: (() => void) | undefined;
  #rtcpTimer: Timer | undefined;
  #configuredAtMs = 0;
  #closed = false;
  #remoteByeSeen = false;
  readonly #received = new ReceivedDatagramQueue();
  readonly #handleRtp = (msg: Buffer, rinfo: RemoteInfo, arrivalMs: number): void => {
    if (!this.#closed) this.#onRtp(msg, rinfo, arrivalMs);
  };
  readonly #counters = newMediaSessionCounters();

  /** Binds RTP/RTCP sockets from the allocator's range; configure() once the SDP exchange is done. */
  static async open(bind: BindRtpSocketsOptions, options: MediaSessionOptions = {}): Promise<MediaSession> {
    return new MediaSession(await bindRtpSockets(bind), options);
  }

  constructor(sockets: RtpSockets, options: MediaSessionOptions = {}) {
    super();
    this.sockets = sockets;
    this.#rtpSender = createDatagramSender(sockets.rtp);
    this.#options = options;
    this.#pacer = options.pacer ?? processMediaPacer();
    this.#clock = this.#pacer.clock;
    this.#pipelineRateHz = options.pipelineRateHz ?? defaultMediaSessionOptions.pipelineRateHz;
    this.#sendSilence = options.sendSilence ?? defaultMediaSessionOptions.sendSilence;
    this.#frameQueueFrames = options.frameQueueFrames ?? defaultMediaSessionOptions.frameQueueFrames;
    this.#rtcpIntervalMs = options.rtcpIntervalMs ?? defaultMediaSessionOptions.rtcpIntervalMs;
    this.#maxDatagramBytes = options.maxDatagramBytes ?? defaultMediaSessionOptions.maxDatagramBytes;
    this.#codecOptions = { opusSampleRateHz: this.#pipelineRateHz, ...options.codecOptions };
    this.#reporter = new RtcpReporter(options.cname ?? randomToken(12));
    this.#sourceLatch = new RtpSourceLatch(options.latch);
    this.#utterances = new UtteranceQueue({
      events: {
        onStarted: (handle) => this.#emitSafely("utteranceStarted", handle),
        onEnded: (result) => this.#emitSafely("utteranceEnded", result),
        onFramesReady: () => this.#onAgentAudioReady(),
      },
    });
    sockets.rtp.on("message", (msg, rinfo) => this.#onDatagram(msg, rinfo, false));
    sockets.rtcp.on("message", (msg, rinfo) => this.#onDatagram(msg, rinfo, true));
    const onError = (): void => {
      this.#counters.sendErrors++;
    };
    sockets.rtp.on("error", onError);
    sockets.rtcp.on("error", onError);
  }

  /** Where this session's hot path runs: RTP send and SRTP crypto (undefined without SRTP). */
  get engines(): { readonly send: DatagramSender["engine"]; readonly srtp: SrtpEngine | undefined } {
    return { send: this.#rtpSender.engine, srtp: this.#srtp?.outbound.engine };
  }

  get localPort(): number {
    return this.sockets.rtpPort;
  }

  /** Where RTP goes now (latched source or SDP address). */
  get remoteEndpoint(): MediaEndpoint | undefined {
    return this.#rtpTarget;
  }

  /** Our SSRC (stable across re-INVITEs); undefined before configure(). */
  get ssrc(): number | undefined {
    return this.#outbound?.ssrc;
  }

  get closed(): boolean {
    return this.#closed;
  }

  configure(negotiated: NegotiatedMedia): void {
    if (this.#closed) return;
    const next = resolveNegotiatedMedia(negotiated);
    const previous = this.#media;
    const codecChanged = previous === undefined || previous.codecKey !== next.codecKey;
    // Build everything that can fail before changing any state.
    const srtp =
      previous !== undefined && previous.keyKey === next.keyKey ? this.#srtp : createSrtpPair(negotiated);
    // RFC 4733 2.1: event durations count the telephone-event PT's own clock (the SDP rtpmap rate), which
    // may differ from the codec's (opus/48000 + telephone-event/8000); 8000 is the RFC's default.
    const teClockRateHz =
      negotiated.telephoneEventClockRateHz ??
      this.#options.telephoneEventClockRateHz ??
      defaultTelephoneEventClockRateHz;
    const inbound = codecChanged
      ? new InboundStream({
          codec: createNegotiatedCodec(negotiated, this.#codecOptions),
          payloadType: negotiated.codec.payloadType,
          telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
          telephoneEventClockRateHz: teClockRateHz,
          comfortNoisePayloadType: negotiated.comfortNoisePayloadType,
          pipelineRateHz: this.#pipelineRateHz,
          jitter: this.#options.jitter,
          ssrcSwitchAfterMs: this.#options.ssrcSwitchAfterMs ?? defaultMediaSessionOptions.ssrcSwitchAfterMs,
        })
      : this.#inbound;
    const outboundConfig = codecChanged
      ? {
          codec: createNegotiatedCodec(negotiated, this.#codecOptions),
          payloadType: negotiated.codec.payloadType,
          telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
          telephoneEventClockRateHz: teClockRateHz,
          sendSilence: this.#sendSilence,
          silencePayload: sharedSilencePayload(negotiated, this.#codecOptions),
        }
      : undefined;

    this.#media = next;
    this.#srtp = srtp;
    this.#inbound = inbound;
    if (outboundConfig !== undefined) {
      if (this.#outbound === undefined) {
        this.#outbound = new OutboundStream(outboundConfig, this.#utterances, this.#pacer.phaseSlots);
      } else {
        this.#outbound.reconfigure(outboundConfig, this.#pacer.nextTickIndex);
      }
    }
    const addressChanged =
      previous === undefined ||
      previous.remoteRtp?.address !== next.remoteRtp?.address ||
      previous.remoteRtp?.port !== next.remoteRtp?.port;
    if (addressChanged) {
      // A new SDP address (re-INVITE to another media server) restarts latching from it.
      this.#rtpTarget = next.remoteRtp;
      this.#rtcpTarget = next.remoteRtcp;
      this.#sourceLatch.reset(next.remoteRtp);
      if (previous !== undefined) this.#inbound?.expectNewSource();
    }
    if (previous === undefined) {
      this.#configuredAtMs = this.#clock.nowMs();
      this.#unregister = this.#pacer.register(this);
      this.#scheduleRtcp();
    }
  }

  frames(): AsyncIterable<AudioFrame> {
    if (this.#frameQueue === undefined || (this.#frameQueue.closed && !this.#closed)) {
      this.#framesDroppedBefore += this.#frameQueue?.dropped ?? 0;
      this.#frameQueue = new FrameQueue(this.#frameQueueFrames);
      if (this.#closed) this.#frameQueue.close();
    }
    return this.#frameQueue;
  }

  play(utterance: UtteranceSource): UtteranceHandle {
    const handle = this.#utterances.enqueue(utterance);
    // A closed session ends the utterance at once, unheard.
    if (this.#closed) this.#utterances.flush("closed");
    return handle;
  }

  flush(): FlushResult {
    return this.#utterances.flush();
  }

  /** The utterance on the wire now, if any (its playoutMs is the live playout position). */
  get currentUtterance(): UtteranceHandle | undefined {
    return this.#utterances.current;
  }

  sendDigit(digit: string, durationMs = 100): Promise<boolean> {
    if (this.#outbound === undefined || this.#closed) return Promise.resolve(false);
    return this.#outbound.sendDigit(digit, durationMs);
  }

  inboundIdleMs(): number {
    const last = Math.max(this.#inbound?.lastAcceptedMs ?? Number.NEGATIVE_INFINITY, this.#configuredAtMs);
    return this.#clock.nowMs() - last;
  }

  stats(): MediaSessionStats {
    const jitter = this.#inbound?.jitterStats();
    const receive = this.#inbound?.receiveStats;
    const r = this.#reporter;
    return {
      ...this.#counters,
      srtpAuthFailures: this.#srtp?.inbound.counters.authFailures ?? this.#counters.srtpAuthFailures,
      srtpReplays: this.#srtp?.inbound.counters.replays ?? this.#counters.srtpReplays,
      packetsLost: Math.max(0, receive?.cumulativeLost ?? 0),
      jitterMs: receive?.jitterMs ?? 0,
      roundTripTimeMs: r.roundTripTimeMs,
      remoteFractionLost: r.remoteFractionLost,
      remoteJitterMs: r.remoteJitterMs,
      late: jitter?.late ?? 0,
      concealed: jitter?.concealed ?? 0,
      framesDropped: this.#framesDroppedBefore + (this.#frameQueue?.dropped ?? 0),
      dtmfDigitsSent: this.#outbound?.dtmfDigitsSent ?? 0,
      rtcpSent: r.reportsSent,
      rtcpMalformed: r.malformed,
      ssrcChanges: this.#inbound?.ssrcChanges ?? 0,
      badAgentFrames: this.#outbound?.badFrames ?? 0,
      jitterBuffer: jitter,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unregister?.();
    this.#rtcpTimer?.cancel();
    this.#received.clear();
    let byeSent = false;
    if (this.#outbound !== undefined && this.#media !== undefined) {
      const bye = this.#reporter.buildBye(
        this.#senderState(),
        this.#inbound?.receiveStats,
        this.#reportTime(),
      );
      // The sockets close once the BYE has left (a send is asynchronous; closing first would drop it).
      byeSent = this.#sendRtcp(bye, () => this.sockets.close());
      this.#outbound.cancelDigits();
    }
    if (!byeSent) this.sockets.close();
    this.#utterances.flush("closed");
    this.#frameQueue?.close();
    this.#emitSafely("closed");
    this.removeAllListeners();
  }

  // --- pacing -----------------------------------------------------------------------------------

  onPacerTick(tickIndex: number): boolean {
    const media = this.#media;
    const outbound = this.#outbound;
    if (this.#closed || media === undefined || outbound === undefined) return false;
    let sent = false;
    const target = this.#rtpTarget;
    if (media.canSend && target !== undefined) {
      const packet = outbound.nextPacket(tickIndex);
      if (packet !== undefined) sent = this.#sendRtp(outbound, packet, target);
    }
    return sent;
  }

  /**
   * Every sub-tick, after that sub-tick's sends: received frames that are due go out to the pipeline
   * (time-based playout; several after a stall, at most a few per sub-tick).
   */
  afterPacerTick(_tickIndex: number, nowMs: number): void {
    if (this.#received.length > 0) this.#received.drain(this.#handleRtp);
    const media = this.#media;
    const inbound = this.#inbound;
    if (this.#closed || media === undefined || !media.canReceive || inbound?.started !== true) return;
    for (let i = 0; i < maxFramesPerSubTick; i++) {
      const frame = inbound.pullDue(nowMs);
      if (frame === undefined) return;
      this.#deliver(frame);
      if (this.#closed) return;
    }
  }

  /**
   * Agent audio is ready while we send silence or nothing: start the talkspurt at the next sub-tick
   * instead of up to a frame later (the pacer re-phases this session; RTP timestamps follow the
   * sub-tick index, and the first voice packet carries the marker bit, RFC 3551 4.1).
   */
  #onAgentAudioReady(): void {
    const outbound = this.#outbound;
    if (this.#closed || outbound === undefined || outbound.keepsPhase || this.#unregister === undefined)
      return;
    this.#pacer.rephase(this);
  }

  #sendRtp(outbound: OutboundStream, packet: Uint8Array, target: MediaEndpoint): boolean {
    // The packet is the start of the stream's packet slot: SRTP encrypts it and appends the tag
    // there, and the socket sends from the slot (no allocation per packet; outbound-stream.ts).
    const slot = outbound.packetSlot;
    let wireBytes = packet.length;
    if (this.#srtp !== undefined) {
      wireBytes = this.#srtp.outbound.protectRtpInPlace(slot, packet.length);
      if (wireBytes < 0) {
        outbound.packetSent(false, 0);
        return false;
      }
    }
    if (this.#rtpSender.send(slot, 0, wireBytes, target) < 0) {
      this.#counters.sendErrors++;
      outbound.packetSent(false, 0);
      return false;
    }
    outbound.packetSent(true, packet.length - 12);
    this.#counters.packetsSent++;
    this.#counters.bytesSent += wireBytes;
    return true;
  }

  #deliver(frame: AudioFrame): void {
    this.#frameQueue?.push(frame);
    if (this.listenerCount("frame") > 0) this.#emitSafely("frame", frame);
  }

  #emitSafely<K extends keyof MediaSessionEvents>(event: K, ...args: MediaSessionEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: MediaSessionEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      (this.#options.logger ?? silentLogger()).warn({ err: error, event }, "media session listener threw");
    }
  }

  // --- receive ----------------------------------------------------------------------------------

  #onDatagram(msg: Buffer, rinfo: RemoteInfo, onRtcpSocket: boolean): void {
    if (this.#closed) return;
    if (msg.length > this.#maxDatagramBytes) {
      this.#counters.oversized++;
      return;
    }
    // RFC 3550 5.1 / 6.4.1: both RTP and RTCP carry version 2 in the top bits of the first octet.
    if (msg.length === 0 || (msg[0] ?? 0) >>> 6 !== 2) {
      this.#counters.notRtp++;
      return;
    }
    // RFC 5761 4: RTCP packet types 200-207 sit where RTP has marker+PT 72-79; demultiplex by them.
    if (onRtcpSocket || isRtcpPacket(msg)) {
      this.#onRtcp(msg, rinfo, onRtcpSocket);
      return;
    }
    const arrivalMs = this.#clock.nowMs();
    if (this.#unregister === undefined) {
      this.#onRtp(msg, rinfo, arrivalMs);
      return;
    }
    // Paced: worked in the next sub-tick's receive work, after its sends (received-datagram-queue.ts).
    this.#received.push(msg, rinfo, arrivalMs, this.#handleRtp);
  }

  #onRtp(msg: Buffer, rinfo: RemoteInfo, arrivalMs: number): void {
    const media = this.#media;
    const inbound = this.#inbound;
    if (media === undefined || inbound === undefined || !media.canReceive) {
      this.#counters.droppedNotReceiving++;
      return;
    }
    let plain: Uint8Array = msg;
    if (this.#srtp !== undefined) {
      const r = this.#srtp.inbound.unprotectRtp(msg, true);
      if (!r.ok) {
        this.#countSrtpFailure(r.failure);
        return;
      }
      plain = r.packet;
    }
    const parsed = parseRtpPacket(plain);
    if (!parsed.ok) {
      this.#counters.malformed++;
      return;
    }
    if (!this.#admitSource(rinfo, parsed.packet, arrivalMs)) return;
    const verdict = inbound.accept(parsed.packet, arrivalMs);
    if (verdict === "wrong-payload-type") {
      this.#counters.wrongPayloadType++;
      return;
    }
    if (verdict === "wrong-ssrc") {
      this.#counters.wrongSsrc++;
      return;
    }
    this.#counters.packetsReceived++;
    this.#counters.bytesReceived += msg.length;
    this.#latch(rinfo, parsed.packet, arrivalMs);
    for (const digit of inbound.digits) {
      this.#counters.dtmfDigitsReceived++;
      this.#emitSafely("dtmf", digit);
    }
  }

  #countSrtpFailure(failure: SrtpFailure): void {
    // Auth failures and replays are read from the SRTP session's own counters in stats().
    if (failure === "too-short" || failure === "malformed") this.#counters.malformed++;
  }

  /**
   * Before a packet is played: is its source the latched one, or has it proven a switch? With SRTP
   * every packet here authenticated (the sender holds the key). Plain RTP: see rtp-source-latch.ts.
   */
  #admitSource(rinfo: RemoteInfo, packet: RtpPacket, arrivalMs: number): boolean {
    if (this.#sourceLatch.admit(rinfo, packet, arrivalMs, this.#srtp !== undefined)) return true;
    this.#counters.latchRejected++;
    return false;
  }

  /** RFC 4961 symmetric RTP: send to where valid packets come from (the latched source). */
  #latch(rinfo: RemoteInfo, packet: RtpPacket, arrivalMs: number): void {
    this.#sourceLatch.confirm(rinfo, packet, arrivalMs);
    const target = this.#rtpTarget;
    if (target !== undefined && target.address === rinfo.address && target.port === rinfo.port) return;
    const endpoint = { address: rinfo.address, port: rinfo.port };
    this.#rtpTarget = endpoint;
    if (this.#media?.negotiated.rtcpMux === true) this.#rtcpTarget = endpoint;
    this.#counters.latchChanges++;
    this.#emitSafely("latched", endpoint);
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo, onRtcpSocket: boolean): void {
    const outbound = this.#outbound;
    if (outbound === undefined) {
      this.#counters.droppedNotReceiving++;
      return;
    }
    let plain: Uint8Array = msg;
    if (this.#srtp !== undefined) {
      const r = this.#srtp.inbound.unprotectRtcp(msg, true);
      if (!r.ok) {
        this.#countSrtpFailure(r.failure);
        return;
      }
      plain = r.packet;
    }
    if (this.#srtp === undefined && !this.#sourceLatch.admitsRtcpFrom(rinfo.address)) {
      this.#counters.latchRejected++;
      return;
    }
    const ok = this.#reporter.handle(
      plain,
      outbound.ssrc,
      outbound.config.codec.clockRateHz,
      this.#inbound?.receiveStats,
      this.#reportTime(),
    );
    if (!ok) return;
    this.#counters.rtcpReceived++;
    if (onRtcpSocket) this.#rtcpTarget = { address: rinfo.address, port: rinfo.port };
    if (this.#reporter.byeReceived && !this.#remoteByeSeen) {
      this.#remoteByeSeen = true;
      this.#emitSafely("remoteBye");
    }
  }

  // --- RTCP -------------------------------------------------------------------------------------

  #senderState(): { ssrc: number; packetCount: number; octetCount: number; rtpTimestamp: number } {
    const o = this.#outbound;
    return {
      ssrc: o?.ssrc ?? 0,
      packetCount: o?.packetCount ?? 0,
      octetCount: o?.octetCount ?? 0,
      rtpTimestamp: o?.timestampAt(this.#pacer.nextTickIndex) ?? 0,
    };
  }

  #reportTime(): { epochMs: number; nowMs: number } {
    return { epochMs: this.#clock.epochMs(), nowMs: this.#clock.nowMs() };
  }

  #scheduleRtcp(): void {
    if (this.#rtcpIntervalMs <= 0 || this.#closed) return;
    this.#rtcpTimer = this.#clock.setTimer(randomizedRtcpIntervalMs(this.#rtcpIntervalMs), () => {
      if (this.#closed) return;
      this.#sendRtcp(
        this.#reporter.buildReport(this.#senderState(), this.#inbound?.receiveStats, this.#reportTime()),
      );
      this.#scheduleRtcp();
    });
  }

  /** Returns true when handed to the socket (`onSent` then runs once the send completes). */
  #sendRtcp(compound: Uint8Array, onSent?: () => void): boolean {
    const mux = this.#media?.negotiated.rtcpMux === true;
    const target = mux ? this.#rtpTarget : this.#rtcpTarget;
    if (target === undefined) return false;
    let wire = compound;
    if (this.#srtp !== undefined) {
      const r = this.#srtp.outbound.protectRtcp(compound);
      if (!r.ok) return false;
      wire = r.packet;
    }
    const socket = mux ? this.sockets.rtp : this.sockets.rtcp;
    try {
      socket.send(wire, target.port, target.address, onSent);
      return true;
    } catch {
      this.#counters.sendErrors++;
      return false;
    }
  }
}
