// Public surface of the media layer (see ARCHITECTURE.md).

export { type AudioFrame, frameDurationMs, samplesPerFrame, silentFrame } from "./audio/audio-frame.js";
// Audio: streaming resampler (polyphase Kaiser windowed sinc).
export { besselI0, kaiserLowPass } from "./audio/kaiser-filter.js";
export { Resampler, type ResamplerOptions, type ResamplerRateHz, resamplerRates } from "./audio/resampler.js";
// Codecs (one interface, registry by SDP name).
export {
  type CodecDescriptor,
  type CodecFactoryOptions,
  codecRegistry,
  createCodec,
} from "./codecs/codec-registry.js";
export type { AudioCodec, CodecCounters } from "./codecs/codec-types.js";
export {
  ComfortNoiseGenerator,
  type ComfortNoiseStats,
  comfortNoiseRms,
  comfortNoiseStaticPayloadType,
  decodeComfortNoiseLevel,
  loudestComfortNoiseDbov,
} from "./codecs/comfort-noise.js";
export {
  alawToLinear,
  createPcmaCodec,
  createPcmuCodec,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from "./codecs/g711-codec.js";
export { createG722Codec, G722Decoder, G722Encoder } from "./codecs/g722-codec.js";
export { createOpusCodec, type OpusCodecOptions, type OpusSampleRateHz } from "./codecs/opus-codec.js";
export { type DtmfDigitEvent, DtmfReceiver, type DtmfReceiverStats } from "./dtmf/dtmf-receiver.js";
// DTMF: RFC 4733 telephone-event and SIP INFO dtmf-relay.
export {
  type DtmfRelay,
  defaultDtmfRelayDurationMs,
  formatDtmfRelayBody,
  parseDtmfRelayBody,
} from "./dtmf/dtmf-relay-body.js";
export {
  type DtmfPacketPlan,
  type DtmfSendOptions,
  dtmfEndPacketCount,
  planDtmfPackets,
} from "./dtmf/dtmf-sender.js";
export {
  type DtmfDigit,
  decodeTelephoneEvent,
  digitForEvent,
  encodeTelephoneEvent,
  eventForDigit,
  isDtmfDigit,
  type TelephoneEvent,
} from "./dtmf/telephone-event.js";
// Jitter buffer (pure: arrival time in, one 20 ms frame per pull out).
export { JitterBuffer } from "./jitter/jitter-buffer.js";
export {
  defaultJitterBufferOptions,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterDecoder,
  type JitterPacket,
  type PushOutcome,
} from "./jitter/jitter-types.js";
export {
  defaultTimedPlayoutOptions,
  TimedPlayout,
  type TimedPlayoutOptions,
  type TimedPlayoutStats,
} from "./jitter/timed-playout.js";
export {
  type MediaAddonStatus,
  mediaAddonBuildCommand,
  mediaAddonStatus,
} from "./native/media-addon.js";
// Pacing: one drift-free schedule per process, 5 ms sub-ticks in 4 phase slots of the 20 ms frame (src/media/pacing).
export { LatenessHistogram, type LatenessSummary } from "./pacing/lateness-histogram.js";
export {
  defaultMediaPacerOptions,
  MediaPacer,
  type MediaPacerOptions,
  type MediaPacerStats,
  type PacedSource,
  processMediaPacer,
} from "./pacing/media-pacer.js";
// RTCP (src/media/rtcp)
export { ntpFromUnixMs, ntpMiddle32, ntpShortToMs, ntpToUnixMs } from "./rtcp/ntp-time.js";
export {
  type NtpTimestamp,
  type RtcpBye,
  type RtcpPacket,
  type RtcpParseError,
  type RtcpParseResult,
  type RtcpReceiverReport,
  type RtcpReportBlock,
  type RtcpSdesChunk,
  type RtcpSdesItem,
  type RtcpSenderReport,
  type RtcpSourceDescription,
  type RtcpUnknown,
  rtcpPacketType,
  sdesCname,
  sdesItemType,
} from "./rtcp/rtcp-packet.js";
export { parseRtcpCompound, type RtcpParseOptions } from "./rtcp/rtcp-parse.js";
export {
  buildReceiverReport,
  buildSenderReport,
  type RemoteReceptionFigures,
  type ReportTime,
  type RtpSenderCounters,
  remoteReceptionFigures,
  reportBlockFromStats,
  roundTripTimeMs,
} from "./rtcp/rtcp-report.js";
export { rtcpPacketSize, serializeRtcpCompound } from "./rtcp/rtcp-serialize.js";
export {
  type LocalReceptionFigures,
  type RtcpSessionOptions,
  RtcpSessionState,
  rtcpReportIntervalMs,
} from "./rtcp/rtcp-session-state.js";
// RTP (src/media/rtp)
export {
  buildRtpExtension,
  oneByteExtensionProfile,
  parseRtpExtensionElements,
  type RtpExtensionElement,
  twoByteExtensionProfile,
} from "./rtp/rtp-header-extension.js";
export {
  isRtcpPacket,
  parseRtpPacket,
  type RtpHeaderExtension,
  type RtpPacket,
  type RtpParseError,
  type RtpParseResult,
  rtpHeaderLength,
  rtpPacketSize,
  serializeRtpPacket,
} from "./rtp/rtp-packet.js";
export {
  defaultRtpReceiveStatsOptions,
  type RtpReceiveInterval,
  RtpReceiveStats,
  type RtpReceiveStatsOptions,
} from "./rtp/rtp-receive-stats.js";
export { type RtpSenderInit, RtpSenderState, randomSsrc } from "./rtp/rtp-sender-state.js";
export {
  ExtendedSequenceTracker,
  seqAdd,
  seqDiff,
  seqNewer,
  timestampAdd,
  timestampDiff,
  timestampNewer,
} from "./rtp/rtp-sequence.js";
// SDP model and RFC 3264 offer/answer (audio).
export { type AnswerOfferInput, type AnswerOfferResult, answerOffer } from "./sdp/sdp-answer.js";
export {
  type CodecSpec,
  createLocalOrigin,
  type MediaCapabilities,
  type NegotiatedMedia,
  parseCodecSpec,
  type SdpRejection,
  type SrtpKeyParamsGenerator,
  type SrtpPolicy,
  type SrtpSuiteName,
} from "./sdp/sdp-negotiation-types.js";
export {
  type CreateOfferInput,
  createOffer,
  nextLocalDescription,
  type ProcessAnswerResult,
  processAnswer,
  withDirection,
} from "./sdp/sdp-offer.js";
export { maxSdpBytes, parseSdp } from "./sdp/sdp-parse.js";
export { serializeSdp } from "./sdp/sdp-serialize.js";
export type {
  SdpAttribute,
  SdpConnection,
  SdpCrypto,
  SdpDirection,
  SdpMedia,
  SdpOrigin,
  SdpParseResult,
  SdpRtpMap,
  SessionDescription,
} from "./sdp/sdp-types.js";
// Media session: sockets, latching, pacing, playout (src/media/session).
export { FrameQueue } from "./session/frame-queue.js";
export { InboundStream, type InboundStreamConfig, type InboundVerdict } from "./session/inbound-stream.js";
export { MediaSession } from "./session/media-session.js";
export {
  defaultMediaSessionOptions,
  type MediaEndpoint,
  type MediaSessionEvents,
  type MediaSessionLike,
  type MediaSessionOptions,
  type MediaSessionStats,
} from "./session/media-session-types.js";
export { type OutboundKind, OutboundStream, type OutboundStreamConfig } from "./session/outbound-stream.js";
export {
  type BindRtpSocketsOptions,
  bindRtpSockets,
  RtpPortAllocator,
  type RtpPortRange,
  type RtpSockets,
} from "./session/rtp-port-allocator.js";
export {
  defaultRtpSourceLatchOptions,
  type LatchEndpoint,
  type LatchPacket,
  RtpSourceLatch,
  type RtpSourceLatchOptions,
} from "./session/rtp-source-latch.js";
export type {
  FlushResult,
  UtteranceEndReason,
  UtteranceHandle,
  UtteranceResult,
  UtteranceSource,
  UtteranceState,
} from "./session/utterance-queue.js";
// SRTP (src/media/srtp)
export {
  implementedSrtpSuites,
  parseSrtpCryptoSuite,
  type SrtpCryptoSuite,
  type SrtpSuiteParameters,
  srtpSuites,
} from "./srtp/srtp-crypto-suite.js";
export {
  formatInlineKeyParams,
  generateSrtpMasterKey,
  type InlineKeyError,
  type InlineKeyParams,
  type InlineKeyResult,
  parseInlineKeyParams,
  type SrtpMasterKey,
} from "./srtp/srtp-inline-key.js";
export type { SrtpEngine } from "./srtp/srtp-primitives.js";
export {
  type SrtpCounters,
  type SrtpFailure,
  type SrtpKeyMaterial,
  type SrtpResult,
  SrtpSession,
  type SrtpSessionOptions,
} from "./srtp/srtp-session.js";
