// Public surface of the media layer (see ARCHITECTURE.md).

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
  supportedSrtpSuites,
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
