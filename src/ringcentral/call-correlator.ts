import { AbortedError, type Clock, RingagentError } from "../shared/index.js";
import { isTerminalStatus, type PartyStatusCode, type TelephonySessionEvent } from "./telephony-event.js";

/**
 * Maps telephony-session events to our calls by the SIP Call-ID (`parties[].sipData.callId`,
 * ringcentral.md 4.4): the TLS "Existing Phone" INVITE carries no session/party ids, so this is
 * how a call learns its `telephonySessionId` and `partyId` for Call Control. Events that arrive
 * before `expectCall` are held for a while; duplicates are dropped; out-of-order events (DOCS
 * FAQ) go into the history in sequence order without moving the current status backwards.
 */
export interface PartyStatusChange {
  readonly code: PartyStatusCode;
  readonly reason: string | undefined;
  /** The event's `sequence` (0 for a status learnt by re-sync). */
  readonly sequence: number;
  readonly eventTime: string | undefined;
  /** `event`: a notification; `resync`: learnt by GET after a subscription gap. */
  readonly source: "event" | "resync";
}

type StatusListener = (change: PartyStatusChange) => void;

export class CorrelatedCall {
  readonly sipCallId: string;
  #telephonySessionId: string | undefined;
  #partyId: string | undefined;
  readonly #history: PartyStatusChange[] = [];
  readonly #seen = new Set<string>();
  readonly #listeners = new Set<StatusListener>();
  readonly #clock: Clock;
  #current: PartyStatusChange | undefined;

  constructor(sipCallId: string, clock: Clock) {
    this.sipCallId = sipCallId;
    this.#clock = clock;
  }

  get telephonySessionId(): string | undefined {
    return this.#telephonySessionId;
  }

  get partyId(): string | undefined {
    return this.#partyId;
  }

  /** Status changes in sequence order. */
  get history(): readonly PartyStatusChange[] {
    return this.#history;
  }

  /** The latest status (highest sequence; re-sync results count as latest). */
  get current(): PartyStatusChange | undefined {
    return this.#current;
  }

  get ended(): boolean {
    return this.#current !== undefined && isTerminalStatus(this.#current.code);
  }

  /** Calls `listener` for every later change; returns the unsubscribe function. */
  onStatus(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first change (past or future) whose code is one of `codes`. */
  waitFor(
    codes: PartyStatusCode | readonly PartyStatusCode[],
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<PartyStatusChange> {
    const wanted = typeof codes === "string" ? [codes] : codes;
    const past = this.#history.find((c) => wanted.includes(c.code));
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        unsubscribe();
        timer?.cancel();
        options.signal?.removeEventListener("abort", onAbort);
      };
      const unsubscribe = this.onStatus((change) => {
        if (!wanted.includes(change.code)) return;
        finish();
        resolve(change);
      });
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : this.#clock.setTimer(options.timeoutMs, () => {
              finish();
              reject(
                new RingagentError(
                  "ringcentral_event_timeout",
                  `no telephony event ${wanted.join("/")} in time`,
                  {
                    retryable: true,
                  },
                ),
              );
            });
      const onAbort = (): void => {
        finish();
        reject(options.signal?.reason ?? new AbortedError("waiting for a telephony event"));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** @internal Binds the ids and records a change; false when it was a duplicate. */
  apply(telephonySessionId: string, partyId: string, change: PartyStatusChange): boolean {
    const key = `${telephonySessionId}/${partyId}/${change.source}/${change.sequence}/${change.code}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    this.#telephonySessionId = telephonySessionId;
    this.#partyId = partyId;
    const current = this.#current;
    if (change.source === "event" && current?.source === "resync" && current.code === change.code) {
      // The event that re-sync already reported (replayed after recovery): keep it, notify nobody.
      this.#history.push(change);
      this.#current = change;
      return false;
    }
    if (change.source === "resync") {
      this.#history.push(change);
      this.#current = change;
    } else {
      let index = this.#history.length;
      while (index > 0 && (this.#history[index - 1]?.sequence ?? 0) > change.sequence) index -= 1;
      this.#history.splice(index, 0, change);
      if (current === undefined || current.source === "resync" || change.sequence >= current.sequence) {
        // A late event never un-ends a call that re-sync has already seen end.
        if (!(current?.source === "resync" && isTerminalStatus(current.code))) this.#current = change;
      }
    }
    for (const listener of [...this.#listeners]) listener(change);
    return true;
  }
}

export interface CorrelatorCounters {
  events: number;
  matched: number;
  held: number;
  duplicates: number;
  withoutSipData: number;
}

interface HeldEvent {
  readonly event: TelephonySessionEvent;
  readonly atMs: number;
}

export interface CallCorrelatorOptions {
  readonly clock: Clock;
  /** How long events for a not-yet-expected Call-ID are kept (the event may beat the INVITE). */
  readonly holdMs?: number;
  /** At most this many held events (oldest dropped first). */
  readonly maxHeld?: number;
}

export class CallCorrelator {
  readonly #clock: Clock;
  readonly #holdMs: number;
  readonly #maxHeld: number;
  readonly #calls = new Map<string, CorrelatedCall>();
  #held: HeldEvent[] = [];
  readonly counters: CorrelatorCounters = {
    events: 0,
    matched: 0,
    held: 0,
    duplicates: 0,
    withoutSipData: 0,
  };

  constructor(options: CallCorrelatorOptions) {
    this.#clock = options.clock;
    this.#holdMs = options.holdMs ?? 120_000;
    this.#maxHeld = options.maxHeld ?? 1000;
  }

  /** Starts tracking the call with this SIP Call-ID (idempotent); held events apply at once. */
  expectCall(sipCallId: string): CorrelatedCall {
    const existing = this.#calls.get(sipCallId);
    if (existing !== undefined) return existing;
    const call = new CorrelatedCall(sipCallId, this.#clock);
    this.#calls.set(sipCallId, call);
    this.#expireHeld();
    const mine = this.#held.filter((h) => h.event.parties.some((p) => p.sipData?.callId === sipCallId));
    this.#held = this.#held.filter((h) => !mine.includes(h));
    for (const h of mine) this.#route(h.event, false);
    return call;
  }

  /** Stops tracking (after the call's record is written). */
  forget(sipCallId: string): void {
    this.#calls.delete(sipCallId);
  }

  get trackedCalls(): readonly CorrelatedCall[] {
    return [...this.#calls.values()];
  }

  handleEvent(event: TelephonySessionEvent): void {
    this.counters.events += 1;
    this.#expireHeld();
    this.#route(event, true);
  }

  /** A status learnt by GET during re-sync (or "gone" when the session no longer exists). */
  applyResync(call: CorrelatedCall, code: PartyStatusCode, reason: string | undefined): void {
    const telephonySessionId = call.telephonySessionId;
    const partyId = call.partyId;
    if (telephonySessionId === undefined || partyId === undefined) return;
    if (call.current?.code === code) return;
    call.apply(telephonySessionId, partyId, {
      code,
      reason,
      sequence: 0,
      eventTime: undefined,
      source: "resync",
    });
  }

  #route(event: TelephonySessionEvent, holdUnmatched: boolean): void {
    let matched = false;
    for (const party of event.parties) {
      const callId = party.sipData?.callId;
      if (callId === undefined) {
        this.counters.withoutSipData += 1;
        continue;
      }
      const call = this.#calls.get(callId);
      if (call === undefined) continue;
      matched = true;
      const applied = call.apply(event.telephonySessionId, party.partyId, {
        code: party.status.code,
        reason: party.status.reason,
        sequence: event.sequence,
        eventTime: event.eventTime,
        source: "event",
      });
      if (applied) this.counters.matched += 1;
      else this.counters.duplicates += 1;
    }
    if (!matched && holdUnmatched && event.parties.some((p) => p.sipData !== undefined)) {
      this.counters.held += 1;
      this.#held.push({ event, atMs: this.#clock.nowMs() });
      if (this.#held.length > this.#maxHeld) this.#held.shift();
    }
  }

  #expireHeld(): void {
    const cutoffMs = this.#clock.nowMs() - this.#holdMs;
    if (this.#held.length > 0 && (this.#held[0]?.atMs ?? 0) < cutoffMs) {
      this.#held = this.#held.filter((h) => h.atMs >= cutoffMs);
    }
  }
}
