/** Maps a playout position to the words the caller actually heard. */

export interface WordTiming {
  readonly word: string;
  /** Offset from the start of the audio it belongs to. */
  readonly startMs: number;
  readonly endMs: number;
}

/** Assumed speaking rate when the audio of a sentence is not complete yet (about 15 chars/s). */
export const fallbackMsPerCharacter = 65;

/**
 * Per-character timing: each word gets time in proportion to its characters (plus one for the gap),
 * over `durationMs` of audio. Used when the TTS provider gives no word timings.
 */
export function estimateWordTimings(text: string, durationMs: number): WordTiming[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const weights = words.map((w) => w.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: WordTiming[] = [];
  let at = 0;
  for (let i = 0; i < words.length; i++) {
    const span = total === 0 ? 0 : ((weights[i] ?? 0) / total) * durationMs;
    out.push({ word: words[i] ?? "", startMs: at, endMs: at + span });
    at += span;
  }
  return out;
}

/** A word counts as heard once at least half of it was played. */
export function heardWords(words: readonly WordTiming[], playedMs: number): string[] {
  return words.filter((w) => (w.startMs + w.endMs) / 2 <= playedMs).map((w) => w.word);
}

/** Start of the word being played at `playedMs` (so a resumed utterance restarts on a word boundary). */
export function wordStartAtOrBefore(words: readonly WordTiming[], playedMs: number): number {
  let start = 0;
  for (const w of words) {
    if (w.startMs <= playedMs) start = w.startMs;
  }
  return start;
}
