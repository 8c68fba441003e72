/**
 * Joins a `ringcentral` line's REST side to its SIP calls and the call journal: each call the
 * line's UA receives is expected by the correlator under its SIP Call-ID (ringcentral.md 4.4), so
 * its telephony-session events bind `telephonySessionId`/`partyId` to our call record and every
 * party status change is journaled as a `state` event (the party status history). Transfers go
 * through Call Control (REST) when the party is known, and their outcome is journaled; after a
 * call, RingCentral's call-log record is attached as an event. Answering stays in SIP only.
 */
import type {
  CallLogSummary,
  CallPartyRef,
  CallTarget,
  CorrelatedCall,
  PartyStatusChange,
  RingCentralLine,
} from "../ringcentral/index.js";
import { RingCentralApiError } from "../ringcentral/index.js";
import { type Clock, describeError, type Logger, RingagentError, type Timer } from "../shared/index.js";
import type { Call, CallManager } from "../telephony/index.js";
import type { CallJournal } from "./call-journal.js";
import type { RouteTransferResult, TransferRoute } from "./conversation/call-tools.js";

export interface RingCentralCallLinkOptions {
  readonly lineName: string;
  readonly line: RingCentralLine;
  readonly journal: CallJournal;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a finished call stays tracked for late events (default 60 s). */
  readonly forgetAfterMs?: number;
  /** Fetch RingCentral's call-log record after each call (default true). */
  readonly syncCallLog?: boolean;
}

/** The outcome of a Call Control transfer, as journaled on the call. */
export type CallControlTransferResult =
  | { readonly outcome: "success"; readonly partyStatus: string }
  | {
      readonly outcome: "failed";
      readonly reason: "not_live" | "no_party" | "api_error";
      readonly status?: number;
      readonly errorCode?: string;
      readonly explanation?: string;
    };

interface Tracked {
  readonly call: Call;
  readonly correlated: CorrelatedCall;
  unsubscribe: () => void;
  idsWritten: boolean;
  forgetTimer: Timer | undefined;
}

/** A Call Control target: `+E.164` or 7+ digits a phone number, fewer digits an extension. */
export function callControlTarget(to: string): CallTarget | undefined {
  const text = to.trim();
  if (/^\+\d{6,15}$/.test(text) || /^\d{7,15}$/.test(text)) return { phoneNumber: text };
  if (/^\d{1,6}$/.test(text)) return { extensionNumber: text };
  return undefined;
}

function targetKind(target: CallTarget): string {
  return Object.keys(target)[0] ?? "unknown";
}

export class RingCentralCallLink implements TransferRoute {
  readonly #o: RingCentralCallLinkOptions;
  readonly #tracked = new Map<string, Tracked>();
  readonly #aborts = new AbortController();
  readonly counters = { calls: 0, statusEvents: 0, transfers: 0, transferFailures: 0, callLogs: 0 };

  constructor(options: RingCentralCallLinkOptions) {
    this.#o = options;
  }

  /** Follows the calls of this link's line. */
  attach(manager: CallManager): void {
    manager.on("call", (call) => {
      if (call.lineName === this.#o.lineName) this.#track(call);
    });
    manager.on("callEnded", (call) => {
      const tracked = this.#tracked.get(call.id);
      if (tracked !== undefined) this.#ended(tracked);
    });
  }

  /** The RingCentral party of a call, once an event has bound it. */
  partyOf(callId: string): CallPartyRef | undefined {
    const correlated = this.#tracked.get(callId)?.correlated;
    const telephonySessionId = correlated?.telephonySessionId;
    const partyId = correlated?.partyId;
    return telephonySessionId === undefined || partyId === undefined
      ? undefined
      : { telephonySessionId, partyId };
  }

  /** The correlated view of a call (status history, waitFor), while it is tracked. */
  correlatedCall(callId: string): CorrelatedCall | undefined {
    return this.#tracked.get(callId)?.correlated;
  }

  /**
   * Blind transfer through Call Control. On success RingCentral moves the caller and ends our
   * party (it then BYEs our leg); we end our SIP leg too if it is still up, so the call ends as
   * `transferred` either way. The result is journaled as a `transfer` event.
   */
  async transfer(callId: string, target: CallTarget): Promise<CallControlTransferResult> {
    const tracked = this.#tracked.get(callId);
    const call = tracked?.call;
    if (call === undefined || (call.state !== "active" && call.state !== "on_hold")) {
      return this.#transferFailed(callId, target, { outcome: "failed", reason: "not_live" });
    }
    const ref = this.partyOf(callId);
    if (ref === undefined) {
      return this.#transferFailed(callId, target, { outcome: "failed", reason: "no_party" });
    }
    try {
      const party = await this.#o.line.callControl.transfer(ref, target);
      this.counters.transfers += 1;
      const result: CallControlTransferResult = { outcome: "success", partyStatus: party.code };
      this.#o.journal.setOutcome(callId, "transferred");
      this.#o.journal.event(callId, "transfer", {
        via: "call_control",
        target: targetKind(target),
        outcome: "success",
        partyStatus: party.code,
      });
      if (call.state === "active" || call.state === "on_hold") await call.hangup();
      return result;
    } catch (error) {
      if (!(error instanceof RingCentralApiError)) throw error;
      return this.#transferFailed(callId, target, {
        outcome: "failed",
        reason: "api_error",
        status: error.status,
        ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }),
        explanation: error.explanation,
      });
    }
  }

  /**
   * The conversation agent's transfer route: Call Control for a phone number or an extension once
   * the party is known; undefined (the tool falls back to SIP REFER) while it is not, or for any
   * other target.
   */
  async transferTo(callId: string, to: string): Promise<RouteTransferResult | undefined> {
    const target = callControlTarget(to);
    if (target === undefined || this.partyOf(callId) === undefined) return undefined;
    const result = await this.transfer(callId, target);
    return result.outcome === "success"
      ? { outcome: "success" }
      : { outcome: "failed", reason: result.errorCode ?? result.reason };
  }

  /** Cancels the forget timers and pending call-log fetches. */
  close(): void {
    this.#aborts.abort(new RingagentError("ringcentral_link_closed", "the line is stopping"));
    for (const tracked of this.#tracked.values()) {
      tracked.forgetTimer?.cancel();
      tracked.unsubscribe();
    }
    this.#tracked.clear();
  }

  #transferFailed(
    callId: string,
    target: CallTarget,
    result: Extract<CallControlTransferResult, { outcome: "failed" }>,
  ): CallControlTransferResult {
    this.counters.transferFailures += 1;
    this.#o.journal.event(callId, "transfer", {
      via: "call_control",
      target: targetKind(target),
      outcome: "failed",
      reason: result.reason,
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
    });
    this.#o.logger.warn(
      { callId, reason: result.reason, status: result.status, errorCode: result.errorCode },
      `ringcentral: transfer through Call Control failed${result.explanation === undefined ? "" : `: ${result.explanation}`}`,
    );
    return result;
  }

  #track(call: Call): void {
    const correlated = this.#o.line.correlator.expectCall(call.signaling.callId);
    this.counters.calls += 1;
    const tracked: Tracked = {
      call,
      correlated,
      unsubscribe: () => undefined,
      idsWritten: false,
      forgetTimer: undefined,
    };
    this.#tracked.set(call.id, tracked);
    // Events held before the INVITE was seen are already in the history.
    for (const change of correlated.history) this.#onStatus(tracked, change);
    tracked.unsubscribe = correlated.onStatus((change) => this.#onStatus(tracked, change));
  }

  #onStatus(tracked: Tracked, change: PartyStatusChange): void {
    const { call, correlated } = tracked;
    this.counters.statusEvents += 1;
    if (!tracked.idsWritten) {
      const telephonySessionId = correlated.telephonySessionId;
      const partyId = correlated.partyId;
      if (telephonySessionId !== undefined && partyId !== undefined) {
        tracked.idsWritten = true;
        this.#o.journal.setRingCentralIds(call.id, telephonySessionId, partyId);
      }
    }
    this.#o.journal.event(call.id, "state", {
      source: "ringcentral",
      via: change.source,
      code: change.code,
      reason: change.reason ?? null,
      sequence: change.sequence,
      eventTime: change.eventTime ?? null,
    });
  }

  #ended(tracked: Tracked): void {
    const sessionId = tracked.correlated.telephonySessionId;
    if ((this.#o.syncCallLog ?? true) && sessionId !== undefined) void this.#syncCallLog(tracked, sessionId);
    tracked.forgetTimer = this.#o.clock.setTimer(this.#o.forgetAfterMs ?? 60_000, () => {
      tracked.unsubscribe();
      this.#o.line.correlator.forget(tracked.correlated.sipCallId);
      this.#tracked.delete(tracked.call.id);
    });
  }

  async #syncCallLog(tracked: Tracked, telephonySessionId: string): Promise<void> {
    let record: CallLogSummary | undefined;
    try {
      record = await this.#o.line.fetchCallLog(telephonySessionId, this.#aborts.signal);
    } catch (error) {
      if (!this.#aborts.signal.aborted)
        this.#o.logger.warn({ err: describeError(error) }, "ringcentral: call-log sync failed");
      return;
    }
    if (record === undefined) return;
    this.counters.callLogs += 1;
    this.#o.journal.event(tracked.call.id, "state", {
      source: "ringcentral_call_log",
      callLogId: record.callLogId,
      result: record.result ?? null,
      durationS: record.durationS ?? null,
      recordingUri: record.recording?.contentUri ?? null,
    });
  }
}
