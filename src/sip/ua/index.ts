export { InboundPolicy } from "./inbound-policy.js";
export { supportedOptionTags } from "./invite-accept.js";
export type { InviteOptions, InviteProgress } from "./invite-connect.js";
export {
  formatSessionExpires,
  formatWarning,
  hasOptionTag,
  parseMinSe,
  parseSessionExpires,
  type SessionExpires,
  type SessionRefresher,
  sessionTimerResponseHeaders,
} from "./session-timer-headers.js";
export {
  type SessionResponseOptions,
  SipSession,
  type SipSessionEvents,
  type SipSessionState,
} from "./sip-session.js";
export { sipfragBody, sipfragStatus } from "./sipfrag.js";
export { uriToAddress } from "./ua-addressing.js";
export {
  allowHeaderValue,
  type BodyInput,
  CallFailedError,
  type CallFailureReason,
  callFailureReason,
  type InboundPolicyOptions,
  type IncomingOffer,
  type IncomingRefer,
  type InDialogInfo,
  type RegistrationConfig,
  type SessionBody,
  type SessionEndKind,
  type SessionEndReason,
  type SipAccount,
  SipRequestError,
  type SipUserAgentOptions,
  type TransferProgress,
  type TransferResult,
  type TransferState,
  toSessionBody,
  type UaCounters,
} from "./ua-types.js";
export { SipUserAgent, type SipUserAgentEvents } from "./user-agent.js";
