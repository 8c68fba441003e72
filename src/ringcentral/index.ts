// Public surface of the ringcentral layer (see ARCHITECTURE.md).
export {
  CallControl,
  type CallPartyRef,
  type CallTarget,
  type PartyState,
  type RecordingState,
} from "./call-control.js";
export {
  CallCorrelator,
  type CallCorrelatorOptions,
  CorrelatedCall,
  type CorrelatorCounters,
  type PartyStatusChange,
} from "./call-correlator.js";
export { type CallLogSummary, fetchCallLogRecord, summarizeCallLogRecord } from "./call-log-sync.js";
export {
  type DeviceHealthEvents,
  DeviceHealthMonitor,
  type DeviceOfflineWhileRegistered,
  type DeviceStatusSample,
  defaultDevicePollingIntervalMs,
} from "./device-health-monitor.js";
export {
  checkJwtCredential,
  defaultJwtWarnDays,
  describeJwtCheck,
  type JwtCredentialCheck,
} from "./jwt-credential.js";
export { RateLimitTracker, readRateLimitHeaders, throttlingGroupOf } from "./rate-limit-tracker.js";
export {
  explainRingCentralError,
  isRetryableStatus,
  parseErrorBody,
  RingCentralApiError,
} from "./rc-api-error.js";
export {
  type HttpMethod,
  type RingCentralAppCredentials,
  RingCentralRestClient,
  type RingCentralRestClientOptions,
} from "./rest-client.js";
export { defaultRestRetryPolicy, RestDiscipline, type RestRetryPolicy } from "./rest-discipline.js";
export {
  RingCentralLine,
  type RingCentralLineOptions,
  type RingCentralLineStart,
} from "./ringcentral-line.js";
export {
  createExistingPhoneHelp,
  type HostPort,
  type ManualSipCredentials,
  NoUsableDeviceError,
  parseHostPort,
  type RingCentralSipSettings,
  resolveSipSettings,
  sipSettingsFromSipInfo,
} from "./sip-credentials.js";
export {
  isTerminalStatus,
  type PartyStatusCode,
  parseTelephonyNotification,
  type TelephonyPartyEvent,
  type TelephonySessionEvent,
} from "./telephony-event.js";
export { TelephonySubscription, telephonySessionsFilter } from "./telephony-subscription.js";
export { TokenManager } from "./token-manager.js";
export {
  WebhookReceiver,
  type WebhookRequest,
  type WebhookResponse,
  webhookPlugin,
} from "./webhook-receiver.js";
