/** What `startRingagent` takes and what it hands back: the running service's parts and `stop()`. */
import type {
  CallJournal,
  ConversationAgentOptions,
  ProviderFactory,
  RealtimeAgentOptions,
  RingCentralCallLink,
} from "../agent/index.js";
import type { LineConfig, RingagentConfig } from "../config/index.js";
import type { HttpServer, Metrics } from "../http/index.js";
import type { RingCentralLine } from "../ringcentral/index.js";
import type { Logger } from "../shared/index.js";
import type { SipAddress, SipUserAgent } from "../sip/index.js";
import type { CallStore } from "../store/index.js";
import type { Telephony } from "../telephony/index.js";

export interface StartOptions {
  readonly configPath?: string | undefined;
  readonly logger?: Logger;
  /** Overrides for the conversation agents (tests and benchmarks: pipeline tuning, per-call hooks). */
  readonly conversation?: Partial<Pick<ConversationAgentOptions, "turn" | "bargeIn" | "onCallDone">>;
  /** Overrides for speech-to-speech agents (tests): per-call hooks, connect timeout, environment. */
  readonly realtime?: Partial<Pick<RealtimeAgentOptions, "onCallDone" | "connectTimeoutMs">> & {
    readonly env?: NodeJS.ProcessEnv;
  };
  readonly providers?: ProviderFactory;
  /** How long active calls may run on after stop() before they are hung up (default 10 s). */
  readonly drainTimeoutMs?: number;
}

export interface LineHandle {
  readonly name: string;
  readonly kind: LineConfig["kind"];
  /** Where the line's SIP listens (local and trunk lines). */
  readonly addresses: readonly SipAddress[];
  readonly ua: SipUserAgent | undefined;
}

/** A `ringcentral` line's REST side and its link to the calls and the journal. */
export interface RingCentralLineHandle {
  readonly name: string;
  readonly line: RingCentralLine;
  readonly link: RingCentralCallLink;
}

export interface ServiceHandle {
  readonly config: RingagentConfig;
  readonly logger: Logger;
  readonly store: CallStore;
  readonly telephony: Telephony;
  readonly journal: CallJournal;
  readonly metrics: Metrics;
  readonly http: HttpServer | undefined;
  readonly httpUrl: string | undefined;
  readonly lines: readonly LineHandle[];
  readonly ringcentral: readonly RingCentralLineHandle[];
  /** Stops taking calls, lets active calls finish (up to the drain timeout), unregisters, closes. */
  stop(): Promise<void>;
}
