import { z } from "zod";

/**
 * A conversation agent's `vad` and `turn` sections: how the caller's speech is detected and when
 * their turn ends. Every tuning field is optional: an omitted field keeps the pipeline's default
 * (declared once, in src/pipeline: defaultVadOptions, defaultSileroVadOptions, defaultTurnOptions,
 * defaultBargeInOptions), so an agent without these sections behaves exactly as before they existed.
 * ringagent.example.yaml lists every field with its default.
 */

const range = (min: number, max: number, unit: string) =>
  z
    .number()
    .min(min, `below ${min}${unit} — fix: use a value from ${min} to ${max}${unit}`)
    .max(max, `above ${max}${unit} — fix: use a value from ${min} to ${max}${unit}`);
const whole = (min: number, max: number, unit: string) =>
  range(min, max, unit).multipleOf(1, `is not a whole number — fix: write whole${unit}, e.g. ${min}`);
const wholeMs = (min: number, max: number) => whole(min, max, " ms").optional();

export const vadKinds = ["energy", "silero"] as const;

/** Fields that only one VAD kind reads (the other kind would silently ignore them). */
const sileroOnly = ["threshold", "negThreshold"] as const;
const energyOnly = [
  "thresholdDb",
  "initialNoiseFloorDb",
  "noiseFloorRiseMs",
  "noiseFloorFallMs",
  "maxHighBandRatio",
] as const;

export const vadSchema = z
  .strictObject({
    /** energy: adaptive noise floor + spectral check (cheapest); silero: Silero VAD v5 (onnxruntime-node). */
    kind: z.enum(vadKinds).default("energy"),
    /** Voiced audio (consecutive) before the caller counts as speaking. */
    startWindowMs: wholeMs(20, 2000),
    /** Unvoiced audio (consecutive) before the caller counts as silent again (the hangover). */
    stopWindowMs: wholeMs(20, 5000),
    /** Frames quieter than this (dBFS) are never speech (silero: and skip the model). */
    minEnergyDb: range(-100, 0, " dBFS").optional(),
    /** silero: speech probability (0..1) that starts speech. */
    threshold: range(0.01, 0.99, "").optional(),
    /** silero: while speaking, probability that still counts as speech (default threshold - 0.15). */
    negThreshold: range(0.01, 0.99, "").optional(),
    /** energy: dB above the adaptive noise floor for a frame to be voiced. */
    thresholdDb: range(0, 60, " dB").optional(),
    /** energy: the noise floor a call starts from (dBFS). */
    initialNoiseFloorDb: range(-100, 0, " dBFS").optional(),
    /** energy: time constant of the floor rising toward louder background. */
    noiseFloorRiseMs: wholeMs(20, 60_000),
    /** energy: time constant of the floor falling toward quieter background. */
    noiseFloorFallMs: wholeMs(20, 60_000),
    /** energy: frames with more high-band energy than this ratio are hiss, never voiced. */
    maxHighBandRatio: range(0.1, 4, "").optional(),
  })
  .superRefine((vad, ctx) => {
    const misplaced = vad.kind === "energy" ? sileroOnly : energyOnly;
    const other = vad.kind === "energy" ? "silero" : "energy";
    for (const field of misplaced) {
      if (vad[field] === undefined) continue;
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `only the ${other} VAD reads it, and kind is ${vad.kind} — fix: remove it, or set kind: ${other}`,
      });
    }
    if (vad.threshold !== undefined && vad.negThreshold !== undefined && vad.negThreshold > vad.threshold) {
      ctx.addIssue({
        code: "custom",
        path: ["negThreshold"],
        message: `${vad.negThreshold} is above threshold ${vad.threshold} — fix: set negThreshold at or below threshold (e.g. threshold - 0.15)`,
      });
    }
  });

const bargeInSchema = z.strictObject({
  /** Caller speech may interrupt the agent. */
  enabled: z.boolean().optional(),
  /** Caller speech during agent playout before the agent's audio stops. */
  minSpeechMs: wholeMs(20, 5000),
  /** After our audio stopped: no words within this long (and the caller quiet) resumes the agent. */
  falseInterruptionMs: wholeMs(0, 30_000),
  /** Words that never interrupt on their own ("uh-huh", "ok"...); replaces the built-in list. */
  backchannels: z.array(z.string().min(1, "is empty — fix: remove the empty word")).optional(),
  /** Words other than backchannels needed to confirm a barge-in. */
  minWords: whole(0, 20, "").optional(),
});

export const turnSchema = z.strictObject({
  /** Silence after the caller's last voiced frame before their turn may end (endpointing). */
  endpointSilenceMs: wholeMs(100, 10_000),
  /** Voiced speech a turn needs; shorter sounds are noise. */
  minSpeechMs: wholeMs(0, 10_000),
  /** After the silence window, how long to wait for the STT final before using the last partial. */
  sttFinalTimeoutMs: wholeMs(100, 30_000),
  /** The caller may speak this long before the agent acknowledges (ends the turn for them). */
  maxCallerSpeechMs: wholeMs(1000, 600_000),
  /** Caller silence (agent idle) before a re-prompt. */
  idleRepromptMs: wholeMs(1000, 600_000),
  /** Re-prompts without an answer before the agent says goodbye. */
  maxReprompts: whole(0, 20, "").optional(),
  /** Audio kept from before the VAD start and sent to STT with the speech. */
  preRollMs: wholeMs(0, 2000),
  bargeIn: bargeInSchema.optional(),
});

export type VadConfig = z.infer<typeof vadSchema>;
export type TurnConfig = z.infer<typeof turnSchema>;
