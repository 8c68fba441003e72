/**
 * The call manager: one per process. Lines (SIP user agents) hand it incoming INVITEs; it applies
 * the line's policy, joins SIP and media into Calls, hands established calls to the line's agent,
 * places outbound calls, and keeps the books (active calls, counters) so nothing leaks.
 */
import { EventEmitter } from "node:events";
import type { SrtpPolicy } from "../media/index.js";
import { type Clock, describeError, type Logger, newId, silentLogger, systemClock } from "../shared/index.js";
import type { Call } from "./call.js";
import type { CallerRules } from "./call-admission.js";
import type { CallEndReason } from "./call-state.js";
import { answerInbound } from "./inbound-answer.js";
import type { CallMediaFactory } from "./media-port.js";
import { type OutboundOptions, type OutboundOutcome, placeCall } from "./outbound-call.js";
import type { IncomingSignaling, SignalingLine } from "./signaling-port.js";

/** The per-line settings telephony needs (a subset of a line in src/config/schema.ts). */
export interface LinePolicy {
  readonly maxConcurrentCalls: number;
  /** Wait this long (ringing) before answering; 0 answers at once. */
  readonly answerDelayMs: number;
  readonly callers: CallerRules;
  /** Config codec names in preference order. */
  readonly codecs: readonly string[];
  readonly srtp: SrtpPolicy;
}

export const defaultLinePolicy = {
  maxConcurrentCalls: 20,
  answerDelayMs: 0,
  callers: { allow: [], deny: [] },
  codecs: ["opus", "G722", "PCMU", "PCMA"],
  srtp: "optional",
} as const satisfies LinePolicy;

/** Runs the line's agent on an established call; the call ends when the returned promise settles unless the agent ended it. */
export type CallHandler = (call: Call) => void | Promise<void>;

export interface CallManagerOptions {
  readonly media: CallMediaFactory;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** No RTP for this long ends an active call (config media.mediaTimeoutMs). */
  readonly mediaTimeoutMs?: number;
  /** Rate of the frames agents receive (default 16000). */
  readonly pipelineRateHz?: number;
  /** Ask for RFC 4028 session timers on outbound calls (seconds; default off). */
  readonly sessionExpiresS?: number;
}

export interface TelephonyCounters {
  incoming: number;
  answered: number;
  /** Declined by policy: deny/allow lists (603) or busy (486). */
  declined: number;
  busy: number;
  /** Offers media could not accept (488). */
  mediaRejected: number;
  /** INVITEs merged with one already in progress (482). */
  duplicates: number;
  /** No media session could be opened (503): RTP ports exhausted or taken by another process. */
  mediaUnavailable: number;
  /** Session-Expires below our minimum (422 with Min-SE, RFC 4028). */
  intervalTooSmall: number;
  /** Inbound setups that failed with an unexpected error (logged). */
  setupErrors: number;
  /** Caller cancelled or the ACK never came before the call was up. */
  abandoned: number;
  outgoing: number;
  failed: number;
  ended: number;
}

export interface CallManagerEvents {
  /** A call object exists (inbound: after admission; outbound: when answered). */
  call: [call: Call];
  /** A call ended and released everything. */
  callEnded: [call: Call, reason: CallEndReason];
}

/** What a line holds while it runs. */
export interface LineRuntime {
  readonly line: SignalingLine;
  readonly policy: LinePolicy;
  readonly handler: CallHandler | undefined;
  readonly calls: Set<Call>;
  /** RFC 3261 8.2.2.2 merged-request keys (Call-ID + From tag) of INVITEs being handled. */
  readonly inProgress: Set<string>;
  /** Calls admitted whose Call object does not exist yet (counted against maxConcurrentCalls). */
  opening: number;
}

export class CallManager extends EventEmitter<CallManagerEvents> {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly media: CallMediaFactory;
  readonly mediaTimeoutMs: number;
  readonly pipelineRateHz: number;
  readonly sessionExpiresS: number | undefined;
  readonly counters: TelephonyCounters = {
    incoming: 0,
    answered: 0,
    declined: 0,
    busy: 0,
    mediaRejected: 0,
    duplicates: 0,
    mediaUnavailable: 0,
    intervalTooSmall: 0,
    setupErrors: 0,
    abandoned: 0,
    outgoing: 0,
    failed: 0,
    ended: 0,
  };
  readonly #lines = new Map<string, LineRuntime>();
  readonly #calls = new Map<string, Call>();
  readonly #handlerTasks = new Set<Promise<void>>();
  #closing = false;

  constructor(options: CallManagerOptions) {
    super();
    this.media = options.media;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger();
    this.mediaTimeoutMs = options.mediaTimeoutMs ?? 30_000;
    this.pipelineRateHz = options.pipelineRateHz ?? 16_000;
    this.sessionExpiresS = options.sessionExpiresS;
  }

  /** Calls not yet ended, across all lines. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  calls(): Call[] {
    return [...this.#calls.values()];
  }

  getCall(id: string): Call | undefined {
    return this.#calls.get(id);
  }

  lineNames(): string[] {
    return [...this.#lines.keys()];
  }

  /** Starts taking the line's incoming calls; `handler` runs the line's agent on each established call. */
  addLine(line: SignalingLine, policy: LinePolicy, handler?: CallHandler): void {
    const runtime: LineRuntime = {
      line,
      policy,
      handler,
      calls: new Set(),
      inProgress: new Set(),
      opening: 0,
    };
    this.#lines.set(line.name, runtime);
    line.onIncoming((incoming) => this.#onIncoming(runtime, incoming));
  }

  #onIncoming(runtime: LineRuntime, incoming: IncomingSignaling): void {
    if (this.#closing) {
      incoming.reject(503);
      return;
    }
    this.counters.incoming++;
    const task = answerInbound(this, runtime, incoming).catch((error: unknown) => {
      this.counters.setupErrors++;
      this.logger.error({ error: describeError(error), line: runtime.line.name }, "inbound call failed");
    });
    this.#track(task);
  }

  /** Called by the inbound/outbound flows once a Call exists. */
  register(runtime: LineRuntime, call: Call): void {
    this.#calls.set(call.id, call);
    runtime.calls.add(call);
    this.emit("call", call);
  }

  /** The Call's release hook: every resource is already freed; drop our references. */
  released(runtime: LineRuntime, call: Call): void {
    this.#calls.delete(call.id);
    runtime.calls.delete(call);
    this.counters.ended++;
    this.emit("callEnded", call, call.endReason ?? { kind: "error", code: "unknown", detail: "no reason" });
  }

  /** Runs the line's agent on an established call; hangs up when the agent returns or fails. */
  runHandler(runtime: LineRuntime, call: Call): void {
    const handler = runtime.handler;
    if (!handler) return;
    const task = (async () => {
      try {
        await handler(call);
      } catch (error) {
        this.logger.error({ error: describeError(error), callId: call.id }, "agent failed on a call");
      }
      if (call.state !== "ended") await call.hangup();
    })();
    this.#track(task);
  }

  #track(task: Promise<void>): void {
    this.#handlerTasks.add(task);
    void task.finally(() => this.#handlerTasks.delete(task));
  }

  newCallId(): string {
    return newId();
  }

  /** Places a call from `lineName` to `target` (a SIP URI or a user at the line's domain). */
  async call(lineName: string, target: string, options: OutboundOptions = {}): Promise<OutboundOutcome> {
    const runtime = this.#lines.get(lineName);
    if (!runtime) {
      return { kind: "failed", status: 0, detail: `no line named ${lineName}` };
    }
    this.counters.outgoing++;
    const outcome = await placeCall(this, runtime, target, options);
    if (outcome.kind !== "answered") this.counters.failed++;
    return outcome;
  }

  /** Hangs up every call and waits for agents to finish (shutdown). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.calls().map((c) => c.hangup()));
    await Promise.allSettled([...this.#handlerTasks]);
  }
}
