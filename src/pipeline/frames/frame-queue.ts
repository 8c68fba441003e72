import { AbortedError } from "../../shared/index.js";
import { laneOf, type PipelineFrame, survivesInterruption } from "./pipeline-frame.js";

/**
 * The per-call frame queue with two lanes: system frames are taken before any queued data frame.
 * One consumer. {@link FrameQueue.close} rejects a waiting consumer (idempotent).
 */
export class FrameQueue {
  #system: PipelineFrame[] = [];
  #data: PipelineFrame[] = [];
  #dataHead = 0;
  #waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #closed: unknown;
  /** Frames dropped by {@link FrameQueue.dropData}, for tests and metrics. */
  dropped = 0;

  get size(): number {
    return this.#system.length + this.#data.length - this.#dataHead;
  }

  push(frame: PipelineFrame): void {
    if (this.#closed !== undefined) return;
    if (laneOf(frame.kind) === "system") this.#system.push(frame);
    else this.#data.push(frame);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  /** The next frame without waiting, system lane first. */
  shift(): PipelineFrame | undefined {
    const system = this.#system.shift();
    if (system !== undefined) return system;
    if (this.#dataHead >= this.#data.length) return undefined;
    const frame = this.#data[this.#dataHead];
    this.#dataHead++;
    if (this.#dataHead > 256 && this.#dataHead * 2 > this.#data.length) {
      this.#data = this.#data.slice(this.#dataHead);
      this.#dataHead = 0;
    }
    return frame;
  }

  /** Resolves when a frame is available (at once if one is); rejects once closed. */
  wait(): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (this.size > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Drops queued data frames matching `stale` unless they survive interruption. */
  dropData(stale: (frame: PipelineFrame) => boolean): void {
    const kept: PipelineFrame[] = [];
    for (let i = this.#dataHead; i < this.#data.length; i++) {
      const frame = this.#data[i];
      if (frame === undefined) continue;
      if (stale(frame) && !survivesInterruption(frame)) this.dropped++;
      else kept.push(frame);
    }
    this.#data = kept;
    this.#dataHead = 0;
  }

  close(reason: unknown = new AbortedError("pipeline")): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    this.#system = [];
    this.#data = [];
    this.#dataHead = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(reason);
  }
}
