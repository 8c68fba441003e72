/** The caller's turn being heard: transcripts gathered until endpointing hands it to the agent. */
export interface CallerTurn {
  finals: string[];
  partial: string;
  hadSpeech: boolean;
  lastVoicedAtMs: number;
  sttFinalAtMs: number | undefined;
}

export const newTurn = (): CallerTurn => ({
  finals: [],
  partial: "",
  hadSpeech: false,
  lastVoicedAtMs: 0,
  sttFinalAtMs: undefined,
});

/** What the caller said so far in this turn: the finals, then the current partial. */
export function turnText(turn: CallerTurn): string {
  const finals = turn.finals.join(" ");
  return turn.partial.length > 0 ? `${finals} ${turn.partial}`.trim() : finals;
}

/** Words in `text` that are not backchannels ("uh-huh", "ok"...): only these confirm a barge-in. */
export function nonBackchannelWords(text: string, backchannels: ReadonlySet<string>): number {
  const words = text.toLowerCase().match(/[a-z0-9'-]+/g) ?? [];
  return words.filter((w) => !backchannels.has(w)).length;
}
