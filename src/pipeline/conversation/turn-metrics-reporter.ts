import type { TypedEmitter } from "../base/typed-emitter.js";
import type { PipelineEvents } from "./pipeline-options.js";
import type { ResponseState } from "./response-state.js";

/**
 * Per-turn metrics: a reply's {@link TurnMetrics} are emitted once, when its first audio reaches the
 * sink, or earlier when it ends without audio (interrupted, failed, silent).
 */
export class TurnMetricsReporter {
  readonly #events: TypedEmitter<PipelineEvents>;
  /** Replies whose metrics wait for their first audio. */
  readonly #unreported = new Map<number, ResponseState>();

  constructor(events: TypedEmitter<PipelineEvents>) {
    this.#events = events;
  }

  track(response: ResponseState): void {
    this.#unreported.set(response.id, response);
  }

  /** The reply with this id when its metrics are still to be emitted. */
  unreported(responseId: number | undefined): ResponseState | undefined {
    return responseId === undefined ? undefined : this.#unreported.get(responseId);
  }

  emit(response: ResponseState, interrupted: boolean): void {
    if (response.metricsEmitted) return;
    response.metricsEmitted = true;
    this.#unreported.delete(response.id);
    this.#events.emit("turn_metrics", response.metrics(interrupted));
  }
}
