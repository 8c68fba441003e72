import { RingagentError } from "../../shared/index.js";

/**
 * The turn-taking state of one call (CONTEXT.md: Turn, Barge-in, Endpointing). Transitions are
 * checked; each names the rule it implements.
 */
export type TurnState =
  | "starting"
  | "listening"
  | "caller_speaking"
  | "agent_thinking"
  | "agent_speaking"
  | "barge_in_pending"
  | "ending"
  | "ended";

const allowed: Readonly<Record<TurnState, readonly TurnState[]>> = {
  // The greeting is spoken first (or the agent listens at once when there is none).
  starting: ["agent_speaking", "agent_thinking", "listening", "ending", "ended"],
  // Caller speech starts a turn; a re-prompt after long silence makes the agent speak.
  listening: ["caller_speaking", "agent_speaking", "agent_thinking", "ending", "ended"],
  // Endpointing (silence window + STT final) hands the turn to the agent; noise returns to listening.
  caller_speaking: ["agent_thinking", "listening", "ending", "ended"],
  // First agent audio (a filler or the reply) -> speaking; caller speech -> barge-in candidate.
  agent_thinking: ["agent_speaking", "barge_in_pending", "listening", "ending", "ended"],
  // All audio played -> listening (or thinking while a tool runs); caller speech -> barge-in candidate.
  agent_speaking: ["listening", "agent_thinking", "barge_in_pending", "ending", "ended"],
  // Words confirm the barge-in (caller_speaking); a backchannel or no words resumes the agent.
  barge_in_pending: ["caller_speaking", "agent_speaking", "agent_thinking", "listening", "ending", "ended"],
  // Ordered end: the goodbye plays to the end, then the pipeline ends.
  ending: ["ended"],
  ended: [],
};

export class TurnStateMachine {
  #state: TurnState = "starting";
  readonly #onChange: (from: TurnState, to: TurnState) => void;

  constructor(onChange: (from: TurnState, to: TurnState) => void = () => undefined) {
    this.#onChange = onChange;
  }

  get state(): TurnState {
    return this.#state;
  }

  is(...states: TurnState[]): boolean {
    return states.includes(this.#state);
  }

  transition(to: TurnState): void {
    const from = this.#state;
    if (from === to) return;
    if (!allowed[from].includes(to)) {
      throw new RingagentError("pipeline_turn_transition", `turn state ${from} -> ${to} is not allowed`);
    }
    this.#state = to;
    this.#onChange(from, to);
  }
}
