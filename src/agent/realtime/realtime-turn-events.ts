/**
 * Speech-to-speech events told as the pipeline's turn events (user_turn, agent_text,
 * agent_audio_started, interrupt), so the same TurnJournal writes a realtime call's turns,
 * transcripts (trimmed to what was heard on barge-in) and wire-to-wire latency.
 */
import type { PipelineEvents } from "../../pipeline/index.js";
import type { PipelineEventSource } from "../conversation/turn-journal.js";

type Listener<K extends keyof PipelineEvents> = (payload: PipelineEvents[K]) => void;

export class TurnEventHub implements PipelineEventSource {
  readonly #listeners = new Map<keyof PipelineEvents, Array<(payload: never) => void>>();

  on<K extends keyof PipelineEvents>(event: K, listener: Listener<K>): () => void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof PipelineEvents>(event: K, payload: PipelineEvents[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as Listener<K>)(payload);
  }
}

/** The model's transcript of each of its items, and how much audio each had (ms). */
export class ItemTranscripts {
  readonly #text = new Map<string, string>();
  readonly #audioMs = new Map<string, number>();

  addText(itemId: string, delta: string): void {
    this.#text.set(itemId, (this.#text.get(itemId) ?? "") + delta);
  }

  addAudio(itemId: string, ms: number): void {
    this.#audioMs.set(itemId, (this.#audioMs.get(itemId) ?? 0) + ms);
  }

  /** Takes (and forgets) the item's transcript and audio length. */
  take(itemId: string): { text: string; audioMs: number } {
    const taken = { text: this.#text.get(itemId) ?? "", audioMs: this.#audioMs.get(itemId) ?? 0 };
    this.#text.delete(itemId);
    this.#audioMs.delete(itemId);
    return taken;
  }

  /** Items not yet taken (the response ended: they were said in full). */
  itemIds(): string[] {
    return [...new Set([...this.#text.keys(), ...this.#audioMs.keys()])];
  }
}
