/**
 * One drift-free schedule per process, in sub-ticks: sub-tick k is due at `originMs + k * tickMs` on
 * a monotonic clock (never "tickMs after the previous timer fired", so timer lateness does not
 * accumulate), with `tickMs = intervalMs / phaseSlots` (default 20 / 4 = 5 ms). Each source owns one
 * phase slot of the 20 ms frame (assigned to the least loaded slot when it registers, so many
 * sessions send in `phaseSlots` small bursts instead of one): at sub-tick k the sources of slot
 * `k % phaseSlots` are asked for their next outbound packet (onPacerTick), once per frame; then
 * every source does its work that sends nothing (afterPacerTick: received audio that is due), so
 * received audio waits at most one sub-tick and no send waits behind another source's receive work.
 *
 * Re-phase: a source that starts a talkspurt while it was sending silence (or nothing) asks to move
 * to the next sub-tick's slot (`rephase`), so its first voiced packet leaves within one sub-tick
 * instead of waiting up to a frame. Tick indices count sub-ticks, so a source that derives RTP
 * timestamps from them stays on real time across a re-phase (RFC 3550 5.1).
 *
 * When the process falls behind, missed sub-ticks are run back to back up to `maxCatchUpTicks`
 * frames' worth; beyond that the oldest are skipped (and counted) so the schedule stays on time.
 *
 * Two pacing measures. Send lateness: clock time right after a source sent minus the sub-tick's
 * scheduled time (so it includes the work of the sources ahead of it in the same sub-tick).
 * Send-interval jitter: per source, |time between two consecutive sends - the sub-ticks between them
 * x tickMs|, what the far end's jitter buffer sees (RFC 3550 A.8 measures the same on arrival).
 */
import { type Clock, systemClock, type Timer } from "../../shared/index.js";
import { LatenessHistogram, type LatenessSummary } from "./lateness-histogram.js";

/** Something paced by the process schedule (a media session). */
export interface PacedSource {
  /**
   * Called at the sub-ticks of this source's phase slot (once per frame, and at once after a
   * re-phase). `tickIndex` counts sub-ticks of `tickMs` for the life of the pacer (a gap means
   * sub-ticks were skipped or the source was re-phased); `scheduledMs` is the sub-tick's deadline on
   * the pacer's clock. Returns true when a packet was sent (its lateness is recorded).
   */
  onPacerTick(tickIndex: number, scheduledMs: number): boolean;
  /** Called at every sub-tick after the slot's sends: work that sends nothing (received audio due). */
  afterPacerTick?(tickIndex: number, nowMs: number): void;
}

export interface MediaPacerOptions {
  readonly clock?: Clock;
  /** One frame: each source sends once per interval. Default 20. */
  readonly intervalMs?: number;
  /** Phase slots per frame (sub-ticks of intervalMs / phaseSlots). Default 4 (5 ms sub-ticks). */
  readonly phaseSlots?: number;
  /** Most frames' worth of sub-ticks run back to back after a stall; older ones are skipped. Default 3. */
  readonly maxCatchUpTicks?: number;
  /** A sub-tick that starts later than this after its deadline counts as late. Default 5. */
  readonly lateTickThresholdMs?: number;
}

export const defaultMediaPacerOptions = {
  intervalMs: 20,
  phaseSlots: 4,
  maxCatchUpTicks: 3,
  lateTickThresholdMs: 5,
} as const satisfies MediaPacerOptions;

export interface MediaPacerStats {
  readonly sources: number;
  /** Sources per phase slot now. */
  readonly slotLoad: readonly number[];
  /** Sub-ticks run. */
  readonly ticks: number;
  /** Sub-ticks that started later than `lateTickThresholdMs` after their deadline. */
  readonly lateTicks: number;
  /** Missed sub-ticks run back to back to catch up. */
  readonly caughtUpTicks: number;
  /** Missed sub-ticks dropped because the stall was longer than `maxCatchUpTicks` frames. */
  readonly skippedTicks: number;
  /** Sources moved to an earlier send phase at a talkspurt start. */
  readonly rephases: number;
  /** Exceptions thrown by sources (caught and counted; the tick continues). */
  readonly sourceErrors: number;
  /** Send lateness (actual minus scheduled) over all sources. */
  readonly sendLateness: LatenessSummary;
  /** Per-source |send interval - sub-ticks x tickMs| over consecutive sends of the same source. */
  readonly sendIntervalJitter: LatenessSummary;
  /** Sub-tick start lateness. */
  readonly tickLateness: LatenessSummary;
}

export class MediaPacer {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly phaseSlots: number;
  /** One sub-tick: intervalMs / phaseSlots. */
  readonly tickMs: number;
  readonly #maxCatchUpSubTicks: number;
  readonly #lateTickThresholdMs: number;
  /** Copy-on-write so that sources may register or leave during a tick. */
  #sources: readonly PacedSource[] = [];
  /** Per source (same index as #sources): phase slot, time and sub-tick of its last send (-1 before any). */
  #slot = new Int32Array(0);
  #lastSendMs = new Float64Array(0);
  #lastSendTick = new Float64Array(0);
  #timer: Timer | undefined;
  #originMs = 0;
  #nextTick = 0;
  /** The sub-tick being run, or -1 between sub-ticks. */
  #runningTick = -1;
  #ticks = 0;
  #lateTicks = 0;
  #caughtUpTicks = 0;
  #skippedTicks = 0;
  #rephases = 0;
  #sourceErrors = 0;
  readonly #sendLateness = new LatenessHistogram();
  readonly #tickLateness = new LatenessHistogram();
  readonly #sendIntervalJitter = new LatenessHistogram();

  constructor(options: MediaPacerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? defaultMediaPacerOptions.intervalMs;
    this.phaseSlots = Math.max(1, Math.floor(options.phaseSlots ?? defaultMediaPacerOptions.phaseSlots));
    this.tickMs = this.intervalMs / this.phaseSlots;
    const catchUpFrames = Math.max(1, options.maxCatchUpTicks ?? defaultMediaPacerOptions.maxCatchUpTicks);
    this.#maxCatchUpSubTicks = catchUpFrames * this.phaseSlots;
    this.#lateTickThresholdMs = options.lateTickThresholdMs ?? defaultMediaPacerOptions.lateTickThresholdMs;
  }

  /** Adds a source in the least loaded phase slot; the schedule starts with the first one. */
  register(source: PacedSource): () => void {
    if (!this.#sources.includes(source)) {
      const load = this.#slotLoad();
      let slot = 0;
      for (let s = 1; s < load.length; s++) if ((load[s] ?? 0) < (load[slot] ?? 0)) slot = s;
      this.#setSources([...this.#sources, source], source, slot);
    }
    if (this.#timer === undefined) this.#start();
    return () => this.unregister(source);
  }

  /** Removes a source; the schedule stops (no timer left) when none remain. */
  unregister(source: PacedSource): void {
    if (!this.#sources.includes(source)) return;
    this.#setSources(this.#sources.filter((s) => s !== source));
    if (this.#sources.length === 0) this.#stop();
  }

  /**
   * Moves `source` to the phase slot of the next sub-tick, so its next onPacerTick comes within one
   * sub-tick (a talkspurt start: the source was sending silence or nothing). Returns the sub-tick
   * index of that next call, or undefined when the source is not registered. The source's own RTP
   * timestamps must follow the tick index (they then stay on real time).
   */
  rephase(source: PacedSource): number | undefined {
    const i = this.#sources.indexOf(source);
    if (i < 0) return undefined;
    const next = this.#runningTick >= 0 ? this.#runningTick + 1 : this.#nextTick;
    const slot = next % this.phaseSlots;
    if (this.#slot[i] !== slot) {
      this.#slot[i] = slot;
      this.#rephases++;
    }
    return next;
  }

  /** The index the next sub-tick will carry (sub-ticks so far, skipped ones included). */
  get nextTickIndex(): number {
    return this.#nextTick;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  stats(): MediaPacerStats {
    return {
      sources: this.#sources.length,
      slotLoad: this.#slotLoad(),
      ticks: this.#ticks,
      lateTicks: this.#lateTicks,
      caughtUpTicks: this.#caughtUpTicks,
      skippedTicks: this.#skippedTicks,
      rephases: this.#rephases,
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
    this.#rephases = 0;
    this.#sourceErrors = 0;
  }

  #slotLoad(): number[] {
    const load = new Array<number>(this.phaseSlots).fill(0);
    for (let i = 0; i < this.#sources.length; i++) {
      const s = this.#slot[i] ?? 0;
      load[s] = (load[s] ?? 0) + 1;
    }
    return load;
  }

  /** Replaces the source list, carrying each remaining source's slot and last send to its new index. */
  #setSources(next: readonly PacedSource[], added?: PacedSource, addedSlot = 0): void {
    const slot = new Int32Array(next.length);
    const lastMs = new Float64Array(next.length);
    const lastTick = new Float64Array(next.length).fill(-1);
    for (let i = 0; i < next.length; i++) {
      const source = next[i] as PacedSource;
      if (source === added) {
        slot[i] = addedSlot;
        continue;
      }
      const was = this.#sources.indexOf(source);
      if (was < 0) continue;
      slot[i] = this.#slot[was] ?? 0;
      lastMs[i] = this.#lastSendMs[was] ?? 0;
      lastTick[i] = this.#lastSendTick[was] ?? -1;
    }
    this.#sources = next;
    this.#slot = slot;
    this.#lastSendMs = lastMs;
    this.#lastSendTick = lastTick;
  }

  #start(): void {
    // Tick indices continue across idle periods so sources never see an index go backwards.
    this.#originMs = this.clock.nowMs() - this.#nextTick * this.tickMs;
    this.#schedule();
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    const deadlineMs = this.#originMs + this.#nextTick * this.tickMs;
    this.#timer = this.clock.setTimer(deadlineMs - this.clock.nowMs(), () => this.#onTimer());
  }

  #onTimer(): void {
    if (this.#timer === undefined) return;
    const nowMs = this.clock.nowMs();
    const dueTick = Math.floor((nowMs - this.#originMs) / this.tickMs + 1e-9);
    const behind = dueTick - this.#nextTick + 1;
    if (behind > this.#maxCatchUpSubTicks) {
      const skip = behind - this.#maxCatchUpSubTicks;
      this.#skippedTicks += skip;
      this.#nextTick += skip;
    }
    while (this.#nextTick <= dueTick && this.#timer !== undefined) {
      if (this.#nextTick < dueTick) this.#caughtUpTicks++;
      this.#runningTick = this.#nextTick;
      try {
        this.#runTick(this.#nextTick);
      } finally {
        this.#runningTick = -1;
      }
      this.#nextTick++;
    }
    if (this.#timer !== undefined) this.#schedule();
  }

  #runTick(tickIndex: number): void {
    const scheduledMs = this.#originMs + tickIndex * this.tickMs;
    const startLatenessMs = this.clock.nowMs() - scheduledMs;
    this.#tickLateness.record(startLatenessMs);
    if (startLatenessMs > this.#lateTickThresholdMs) this.#lateTicks++;
    this.#ticks++;
    const phase = tickIndex % this.phaseSlots;
    const sources = this.#sources;
    const slots = this.#slot;
    const lastSendMs = this.#lastSendMs;
    const lastSendTick = this.#lastSendTick;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      if (source === undefined || slots[i] !== phase) continue;
      try {
        if (source.onPacerTick(tickIndex, scheduledMs)) {
          const sentMs = this.clock.nowMs();
          this.#sendLateness.record(sentMs - scheduledMs);
          // A source removed during this tick leaves these arrays replaced; the old ones are harmless.
          const previousTick = lastSendTick[i] ?? -1;
          if (previousTick >= 0) {
            const expectedMs = (tickIndex - previousTick) * this.tickMs;
            this.#sendIntervalJitter.record(Math.abs(sentMs - (lastSendMs[i] ?? 0) - expectedMs));
          }
          lastSendMs[i] = sentMs;
          lastSendTick[i] = tickIndex;
        }
      } catch {
        this.#sourceErrors++;
      }
    }
    const nowMs = this.clock.nowMs();
    for (let i = 0; i < sources.length; i++) {
      try {
        sources[i]?.afterPacerTick?.(tickIndex, nowMs);
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
