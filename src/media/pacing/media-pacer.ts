/**
 * One drift-free 20 ms schedule per process. Tick n is due at `originMs + n * intervalMs` on a
 * monotonic clock (never "20 ms after the previous timer fired", so timer lateness does not
 * accumulate). On each tick every registered source is asked for its next outbound packet, in
 * registration order; only then does each source do its tick work that sends nothing
 * (afterPacerTick: decoding and delivering received audio), so no send waits behind another
 * source's receive work. When the process falls behind, missed ticks are run back to back up to
 * `maxCatchUpTicks`; beyond that the oldest are skipped (and counted) so the schedule stays on time.
 *
 * Two pacing measures. Send lateness: clock time right after a source sent minus the tick's
 * scheduled time (so it includes the work of the sources ahead of it in the same tick; with N
 * sources the last one is always about N x per-send cost late, even when every stream is perfectly
 * regular). Send-interval jitter: per source, |time between two consecutive sends - the ticks
 * between them x intervalMs|, what the far end's jitter buffer sees (RFC 3550 A.8 measures the
 * same thing on arrival).
 */
import { type Clock, systemClock, type Timer } from "../../shared/index.js";
import { LatenessHistogram, type LatenessSummary } from "./lateness-histogram.js";

/** Something paced by the process schedule (a media session). */
export interface PacedSource {
  /**
   * Called once per due tick. `tickIndex` increases by one per tick for the life of the pacer (a gap
   * means ticks were skipped); `scheduledMs` is the tick's deadline on the pacer's clock.
   * Returns true when a packet was sent (its lateness is recorded).
   */
  onPacerTick(tickIndex: number, scheduledMs: number): boolean;
  /** Called once per tick after every source's onPacerTick: work that sends nothing. */
  afterPacerTick?(tickIndex: number): void;
}

export interface MediaPacerOptions {
  readonly clock?: Clock;
  /** Default 20. */
  readonly intervalMs?: number;
  /** Most ticks run back to back after a stall; older missed ticks are skipped. Default 3. */
  readonly maxCatchUpTicks?: number;
  /** A tick that starts later than this after its deadline counts as late. Default 5. */
  readonly lateTickThresholdMs?: number;
}

export const defaultMediaPacerOptions = {
  intervalMs: 20,
  maxCatchUpTicks: 3,
  lateTickThresholdMs: 5,
} as const satisfies MediaPacerOptions;

export interface MediaPacerStats {
  readonly sources: number;
  readonly ticks: number;
  /** Ticks that started later than `lateTickThresholdMs` after their deadline. */
  readonly lateTicks: number;
  /** Missed ticks run back to back to catch up. */
  readonly caughtUpTicks: number;
  /** Missed ticks dropped because the stall was longer than `maxCatchUpTicks`. */
  readonly skippedTicks: number;
  /** Exceptions thrown by sources (caught and counted; the tick continues). */
  readonly sourceErrors: number;
  /** Send lateness (actual minus scheduled) over all sources. */
  readonly sendLateness: LatenessSummary;
  /** Per-source |send interval - ticks x intervalMs| over consecutive sends of the same source. */
  readonly sendIntervalJitter: LatenessSummary;
  /** Tick start lateness. */
  readonly tickLateness: LatenessSummary;
}

export class MediaPacer {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly #maxCatchUpTicks: number;
  readonly #lateTickThresholdMs: number;
  /** Copy-on-write so that sources may register or leave during a tick. */
  #sources: readonly PacedSource[] = [];
  /** Per source (same index as #sources): time and tick of its last send; tick -1 before any. */
  #lastSendMs = new Float64Array(0);
  #lastSendTick = new Float64Array(0);
  #timer: Timer | undefined;
  #originMs = 0;
  #nextTick = 0;
  #ticks = 0;
  #lateTicks = 0;
  #caughtUpTicks = 0;
  #skippedTicks = 0;
  #sourceErrors = 0;
  readonly #sendLateness = new LatenessHistogram();
  readonly #tickLateness = new LatenessHistogram();
  readonly #sendIntervalJitter = new LatenessHistogram();

  constructor(options: MediaPacerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? defaultMediaPacerOptions.intervalMs;
    this.#maxCatchUpTicks = Math.max(1, options.maxCatchUpTicks ?? defaultMediaPacerOptions.maxCatchUpTicks);
    this.#lateTickThresholdMs = options.lateTickThresholdMs ?? defaultMediaPacerOptions.lateTickThresholdMs;
  }

  /** Adds a source; the schedule starts with the first one. Returns the function that removes it. */
  register(source: PacedSource): () => void {
    if (!this.#sources.includes(source)) this.#setSources([...this.#sources, source]);
    if (this.#timer === undefined) this.#start();
    return () => this.unregister(source);
  }

  /** Removes a source; the schedule stops (no timer left) when none remain. */
  unregister(source: PacedSource): void {
    if (!this.#sources.includes(source)) return;
    this.#setSources(this.#sources.filter((s) => s !== source));
    if (this.#sources.length === 0) this.#stop();
  }

  /** The index the next tick will carry (ticks so far, skipped ones included). */
  get nextTickIndex(): number {
    return this.#nextTick;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  stats(): MediaPacerStats {
    return {
      sources: this.#sources.length,
      ticks: this.#ticks,
      lateTicks: this.#lateTicks,
      caughtUpTicks: this.#caughtUpTicks,
      skippedTicks: this.#skippedTicks,
      sourceErrors: this.#sourceErrors,
      sendLateness: this.#sendLateness.summary(),
      sendIntervalJitter: this.#sendIntervalJitter.summary(),
      tickLateness: this.#tickLateness.summary(),
    };
  }

  /** Clears the lateness histograms and counters (benchmarks measure one phase at a time). */
  resetStats(): void {
    this.#sendLateness.reset();
    this.#tickLateness.reset();
    this.#sendIntervalJitter.reset();
    this.#lastSendTick.fill(-1);
    this.#ticks = 0;
    this.#lateTicks = 0;
    this.#caughtUpTicks = 0;
    this.#skippedTicks = 0;
    this.#sourceErrors = 0;
  }

  /** Replaces the source list, carrying each remaining source's last send over to its new index. */
  #setSources(next: readonly PacedSource[]): void {
    const lastMs = new Float64Array(next.length);
    const lastTick = new Float64Array(next.length).fill(-1);
    for (let i = 0; i < next.length; i++) {
      const was = this.#sources.indexOf(next[i] as PacedSource);
      if (was < 0) continue;
      lastMs[i] = this.#lastSendMs[was] ?? 0;
      lastTick[i] = this.#lastSendTick[was] ?? -1;
    }
    this.#sources = next;
    this.#lastSendMs = lastMs;
    this.#lastSendTick = lastTick;
  }

  #start(): void {
    // Tick indices continue across idle periods so sources never see an index go backwards.
    this.#originMs = this.clock.nowMs() - this.#nextTick * this.intervalMs;
    this.#schedule();
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    const deadlineMs = this.#originMs + this.#nextTick * this.intervalMs;
    this.#timer = this.clock.setTimer(deadlineMs - this.clock.nowMs(), () => this.#onTimer());
  }

  #onTimer(): void {
    if (this.#timer === undefined) return;
    const nowMs = this.clock.nowMs();
    const dueTick = Math.floor((nowMs - this.#originMs) / this.intervalMs);
    const behind = dueTick - this.#nextTick + 1;
    if (behind > this.#maxCatchUpTicks) {
      const skip = behind - this.#maxCatchUpTicks;
      this.#skippedTicks += skip;
      this.#nextTick += skip;
    }
    while (this.#nextTick <= dueTick && this.#timer !== undefined) {
      if (this.#nextTick < dueTick) this.#caughtUpTicks++;
      this.#runTick(this.#nextTick);
      this.#nextTick++;
    }
    if (this.#timer !== undefined) this.#schedule();
  }

  #runTick(tickIndex: number): void {
    const scheduledMs = this.#originMs + tickIndex * this.intervalMs;
    const startLatenessMs = this.clock.nowMs() - scheduledMs;
    this.#tickLateness.record(startLatenessMs);
    if (startLatenessMs > this.#lateTickThresholdMs) this.#lateTicks++;
    this.#ticks++;
    const sources = this.#sources;
    const lastSendMs = this.#lastSendMs;
    const lastSendTick = this.#lastSendTick;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      if (source === undefined) continue;
      try {
        if (source.onPacerTick(tickIndex, scheduledMs)) {
          const sentMs = this.clock.nowMs();
          this.#sendLateness.record(sentMs - scheduledMs);
          // A source removed during this tick leaves these arrays replaced; the old ones are harmless.
          const previousTick = lastSendTick[i] ?? -1;
          if (previousTick >= 0) {
            const expectedMs = (tickIndex - previousTick) * this.intervalMs;
            this.#sendIntervalJitter.record(Math.abs(sentMs - (lastSendMs[i] ?? 0) - expectedMs));
          }
          lastSendMs[i] = sentMs;
          lastSendTick[i] = tickIndex;
        }
      } catch {
        this.#sourceErrors++;
      }
    }
    for (let i = 0; i < sources.length; i++) {
      try {
        sources[i]?.afterPacerTick?.(tickIndex);
      } catch {
        this.#sourceErrors++;
      }
    }
  }
}

let processPacer: MediaPacer | undefined;

/** The process-wide pacer on the system clock (created on first use). */
export function processMediaPacer(): MediaPacer {
  processPacer ??= new MediaPacer();
  return processPacer;
}
