// Public surface of the telephony layer (see ARCHITECTURE.md).
export { type Call, type CallAudioPort, type CallDigit, type CallEvents, statusOf } from "./call.js";
export { type AdmissionDecision, admitCall, type CallerRules, callerMatches } from "./call-admission.js";
export {
  type CallHandler,
  CallManager,
  type CallManagerEvents,
  type CallManagerOptions,
  defaultLinePolicy,
  type LinePolicy,
  type TelephonyCounters,
} from "./call-manager.js";
export { CallSdp, type CallSdpOptions, codecSpecsFor, peerHolds, type SdpOutcome } from "./call-sdp.js";
export {
  type CallDirection,
  type CallEndKind,
  type CallEndReason,
  type CallState,
  canTransition,
  type HoldParty,
  isEstablished,
  transition,
} from "./call-state.js";
export type {
  CallMediaFactory,
  CallMediaSession,
  CallMediaStats,
  PlayoutEndReason,
  PlayoutFlush,
  PlayoutHandle,
  PlayoutResult,
  ReceivedDigit,
  UtteranceInput,
} from "./media-port.js";
export {
  defaultRingTimeoutMs,
  type OutboundOptions,
  type OutboundOutcome,
  outcomeForStatus,
} from "./outbound-call.js";
export { RtpMediaFactory, type RtpMediaFactoryOptions } from "./rtp-media-factory.js";
export {
  answerSessionTimer,
  minimumSessionExpiresS,
  type Refresher,
  type SessionTimerAnswer,
  type SessionTimerRequest,
  sessionTimerAction,
} from "./session-timer.js";
export {
  type IncomingSignaling,
  type InDialogInfo,
  type InDialogOffer,
  type InviteOptions,
  type InviteProgress,
  isSdp,
  type OutgoingInviteResult,
  type ReferOptions,
  type RejectDetails,
  type SignalingBody,
  type SignalingEnd,
  type SignalingEndKind,
  type SignalingHandlers,
  type SignalingLine,
  type SignalingSession,
  type SipWarning,
  sdpBody,
  type TransferProgress,
  type TransferProgressState,
  type TransferResult,
} from "./signaling-port.js";
export {
  IncomingSipSessionAdapter,
  SignalingStatusError,
  SipLineAdapter,
  SipSessionAdapter,
} from "./sip-signaling-adapter.js";
export {
  createTelephony,
  defaultSessionExpiresS,
  linePolicyOf,
  parseHostPort,
  parseListen,
  sipOptionsForLine,
  Telephony,
  type TelephonyLineSpec,
  type TelephonyOptions,
} from "./telephony-setup.js";
export { FakeMediaFactory, FakeMediaSession } from "./testing/fake-media.js";
export {
  FakeIncoming,
  FakeLine,
  FakeSession,
  type InviteScript,
  peerAnswer,
  peerOffer,
  SipStatusError,
} from "./testing/fake-signaling.js";
