/**
 * The two watchdogs of an established call, each owned by its Call and cancelled when it ends:
 * media timeout (no RTP for N ms) and RFC 4028 session timers.
 */
import type { Clock, Timer } from "../shared/index.js";
import { type Refresher, type SessionTimerAnswer, sessionTimerAction } from "./session-timer.js";

/** Polls the media session's idle time; fires once when it exceeds `timeoutMs` while enabled. */
export class MediaTimeoutWatch {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #idleMs: () => number;
  readonly #enabled: () => boolean;
  readonly #onTimeout: (idleMs: number) => void;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(options: {
    clock: Clock;
    timeoutMs: number;
    idleMs: () => number;
    /** False while the peer may legitimately stay silent (on hold). */
    enabled: () => boolean;
    onTimeout: (idleMs: number) => void;
  }) {
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs;
    this.#idleMs = options.idleMs;
    this.#enabled = options.enabled;
    this.#onTimeout = options.onTimeout;
  }

  get checkEveryMs(): number {
    return Math.max(100, Math.min(1000, Math.floor(this.#timeoutMs / 4)));
  }

  start(): void {
    if (this.#stopped || this.#timer) return;
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(this.checkEveryMs, () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      const idle = this.#idleMs();
      if (this.#enabled() && idle >= this.#timeoutMs) {
        this.#stopped = true;
        this.#onTimeout(idle);
        return;
      }
      this.#schedule();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/**
 * RFC 4028 10: refresh at half the interval when we are the refresher, otherwise BYE shortly before
 * expiry unless a refresh arrives. `refreshed()` restarts the interval (any re-INVITE/UPDATE that
 * succeeded, in either direction).
 */
export class SessionTimerWatch {
  readonly #clock: Clock;
  readonly #answer: SessionTimerAnswer;
  readonly #weAre: Refresher;
  readonly #onRefresh: () => void;
  readonly #onExpire: () => void;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(options: {
    clock: Clock;
    answer: SessionTimerAnswer;
    weAre: Refresher;
    onRefresh: () => void;
    onExpire: () => void;
  }) {
    this.#clock = options.clock;
    this.#answer = options.answer;
    this.#weAre = options.weAre;
    this.#onRefresh = options.onRefresh;
    this.#onExpire = options.onExpire;
  }

  get weRefresh(): boolean {
    return this.#answer.refresher === this.#weAre;
  }

  refreshed(): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    const action = sessionTimerAction(this.#answer, this.#weAre);
    this.#timer = this.#clock.setTimer(action.afterMs, () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      if (action.kind === "refresh") this.#onRefresh();
      else this.#onExpire();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
