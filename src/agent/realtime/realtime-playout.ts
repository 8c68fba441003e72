/**
 * The agent's side of a speech-to-speech call's playout: the model's audio arrives per item (one
 * utterance per item, ended when its response is done), each utterance goes to the call's paced
 * playout, and barge-in flushes our outbound queue at once and reports how much of the item being
 * played actually left on the wire (the position the model's item is truncated to).
 */
import type { AudioFrame } from "../../media/index.js";
import type { PlayoutSink, UtteranceHandle } from "../../pipeline/index.js";

export interface PlayoutCut {
  /** The model's item that was playing (undefined: nothing was). */
  readonly itemId: string | undefined;
  /** ms of that item that left on the wire. */
  readonly playedMs: number;
}

export class RealtimePlayout {
  readonly #sink: PlayoutSink;
  readonly #onStarted: (itemId: string) => void;
  #current: { readonly itemId: string; readonly handle: UtteranceHandle; ended: boolean } | undefined;
  /** Every utterance still on its way to the wire. */
  readonly #pending = new Set<Promise<unknown>>();
  /** Items whose audio must be dropped (cut by barge-in). */
  readonly #cut = new Set<string>();

  constructor(sink: PlayoutSink, onStarted: (itemId: string) => void) {
    this.#sink = sink;
    this.#onStarted = onStarted;
  }

  /** A 20 ms frame of the model's item `itemId`. */
  write(itemId: string, frame: AudioFrame): void {
    if (this.#cut.has(itemId)) return;
    if (this.#current?.itemId !== itemId) {
      this.endItem();
      const handle = this.#sink.play({ utteranceId: itemId });
      const finished = handle.finished.then(() => {
        this.#pending.delete(finished);
        if (this.#current?.handle === handle) this.#current = undefined;
      });
      this.#pending.add(finished);
      this.#current = { itemId, handle, ended: false };
      this.#onStarted(itemId);
    }
    this.#current?.handle.write(frame);
  }

  /** The response is done: the current utterance gets no more audio (it plays out). */
  endItem(): void {
    const current = this.#current;
    if (current === undefined || current.ended) return;
    current.ended = true;
    current.handle.end();
  }

  /** True while some of our audio is queued or playing. */
  get playing(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * Barge-in: drops everything queued for the caller at once and returns the position of the item
   * that was playing (undefined when nothing was).
   */
  cut(): PlayoutCut {
    const current = this.#current;
    const flushed = this.#sink.flush();
    if (current === undefined) return { itemId: undefined, playedMs: 0 };
    this.#cut.add(current.itemId);
    current.ended = true;
    current.handle.end();
    this.#current = undefined;
    const playedMs = flushed.utteranceId === current.itemId ? flushed.playedMs : current.handle.positionMs();
    return { itemId: current.itemId, playedMs: Math.max(0, playedMs) };
  }

  /** Resolves when everything handed to the playout so far has left (or was flushed). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/**
 * What the caller heard of an item whose transcript is `text` and whose audio lasted `totalMs`,
 * when `playedMs` of it left on the wire: the words in proportion (Realtime gives no word timings),
 * cut at a word boundary.
 */
export function heardPrefix(text: string, playedMs: number, totalMs: number): string {
  if (totalMs <= 0 || playedMs <= 0) return "";
  if (playedMs >= totalMs) return text.trim();
  const chars = Math.floor((text.length * playedMs) / totalMs);
  const cut = text.slice(0, chars);
  const boundary = text.charAt(chars) === " " || chars === text.length ? cut.length : cut.lastIndexOf(" ");
  return cut.slice(0, Math.max(0, boundary)).trim();
}
