import type { AudioFrame } from "../../media/index.js";
import type { SttStream } from "../stt/stt-types.js";
import type { EchoGuard } from "../turn/echo-guard.js";
import type { Vad, VadEvent } from "../vad/vad-types.js";

export interface HeardFrame {
  readonly event: VadEvent | undefined;
  readonly voiced: boolean;
  readonly speaking: boolean;
}

const frameMs = 20;

/**
 * The pipeline's ears: runs the VAD on each caller frame (gated by the echo guard while our own voice
 * may be coming back), keeps a short pre-roll, and feeds STT only while the caller speaks (pre-roll
 * included), which keeps offline recognizers cheap with many calls.
 */
export class CallerListener {
  readonly #vad: Vad;
  readonly #echo: EchoGuard;
  readonly #preRoll: AudioFrame[] = [];
  readonly #preRollFrames: number;
  stt: SttStream | undefined;
  /** Voiced audio since the current speech started. */
  voicedMs = 0;
  /** Unvoiced audio since the last voiced frame. */
  silenceMs = 0;
  lastVoicedAtMs = 0;
  #voicedRunMs = 0;

  constructor(vad: Vad, echo: EchoGuard, preRollMs: number) {
    this.#vad = vad;
    this.#echo = echo;
    this.#preRollFrames = Math.max(0, Math.round(preRollMs / frameMs));
  }

  get speaking(): boolean {
    return this.#vad.speaking;
  }

  hear(frame: AudioFrame, atMs: number): HeardFrame {
    const gateDb = this.#echo.gateDb(atMs);
    const decision = this.#vad.process(
      frame,
      gateDb === undefined ? {} : { minEnergyDb: gateDb, freezeNoiseFloor: true },
    );
    this.#voicedRunMs = decision.voiced ? this.#voicedRunMs + frameMs : 0;
    if (decision.event === "speech_start") {
      // The start window's frames were voiced too: count them.
      this.voicedMs = this.#voicedRunMs - frameMs;
      for (const early of this.#preRoll) this.stt?.write(early);
      this.#preRoll.length = 0;
    }
    if (decision.voiced) {
      this.voicedMs += frameMs;
      this.silenceMs = 0;
      this.lastVoicedAtMs = atMs;
    } else {
      this.silenceMs += frameMs;
    }
    if (decision.speaking || decision.event === "speech_end") {
      this.stt?.write(frame);
    } else {
      this.#preRoll.push(frame);
      if (this.#preRoll.length > this.#preRollFrames) this.#preRoll.shift();
    }
    return { event: decision.event, voiced: decision.voiced, speaking: decision.speaking };
  }
}
