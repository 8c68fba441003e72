import type { AudioFrame } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { ProviderError } from "../../../base/provider-retry.js";
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../../stt-types.js";
import { SpeechFrontEnd } from "./narrowband-front-end.js";
import { type PhraseLanguageModel, writePhraseLanguageModel } from "./phrase-language-model.js";
import {
  checkPocketsphinxModel,
  type DecoderHandle,
  debianEnglishModel,
  loadPocketsphinxAddon,
  type PocketsphinxAddon,
  type PocketsphinxModel,
} from "./pocketsphinx-addon.js";

export interface PocketsphinxOptions {
  readonly model?: PocketsphinxModel;
  /** Path of the built addon (default: found under native/pocketsphinx/build). */
  readonly addonPath?: string;
  /** Decoders kept loaded per band for the next calls (full model: a load takes 0.3-1.3 s; default 4, 64 with phrases). */
  readonly maxIdleDecoders?: number;
  /** Audio per ps_process_raw call (one thread-pool job). */
  readonly batchMs?: number;
  /** Partial results every this much audio (0 = none). */
  readonly partialEveryMs?: number;
  /** High-band fill for 8 kHz input (dBFS RMS); null disables it. */
  readonly bandFillDb?: number | null;
  /**
   * What callers are expected to say (e.g. a conversation script's phrases): decoders then search a
   * small bigram model built from these plus generic words (several times less CPU, more accurate
   * on these phrases) instead of the full model's 130k words.
   */
  readonly phrases?: readonly string[];
  /**
   * With `phrases`: when the small model's final has a posterior below this (0..1), the utterance
   * is decoded again with the full model (free-form speech such as a message). Default 0 (never).
   */
  readonly fullModelBelowConfidence?: number;
  /** Extra decoder configuration, ["-name", "value", ...] (pocketsphinx argument names). */
  readonly decoderArgs?: readonly string[];
}

/**
 * Decoder settings with a phrase model: no second (flat-lexicon) pass at the end of the utterance,
 * which re-decodes all of it and delays the final; the lattice pass stays (cheap on a small model,
 * and it gives the posterior used for the full-model fallback).
 */
export const phraseModelDecoderArgs: readonly string[] = ["-fwdflat", "no", "-bestpath", "yes"];

/**
 * Offline speech recognition with CMU pocketsphinx through a small N-API addon. Decoding runs on the
 * libuv thread pool, never on the event loop; decoders are pooled across calls. Create it once per
 * process (it loads the addon and checks the model at construction: typed errors with the fix).
 */
export class PocketsphinxSttProvider implements SttProvider {
  readonly name = "pocketsphinx";
  readonly #addon: PocketsphinxAddon;
  readonly #model: PocketsphinxModel;
  /**
   * Idle decoders by input band. pocketsphinx adapts its cepstral mean (live CMN) utterance by
   * utterance, and a decoder fresh from the model decodes upsampled telephone audio badly until it
   * has adapted (measured: 41-49% word overlap cold vs 63-68% warm on the test sentences), so
   * decoders go back to the pool of the band they served.
   */
  readonly #idle = new Map<PoolKey, DecoderHandle[]>();
  /**
   * Starting cepstral mean for fresh decoders, by band: the last one a decoder of that band adapted
   * to (a fresh decoder starts from the model's wideband value, far from what the narrowband front
   * end gives, and misrecognises until adapted), first a value measured on the front end's output.
   */
  readonly #cepstralMean = new Map<Band, readonly number[]>();
  readonly #maxIdle: number;
  readonly #phraseModel: PhraseLanguageModel | undefined;
  readonly options: PocketsphinxOptions;

  constructor(options: PocketsphinxOptions = {}) {
    this.options = options;
    this.#model = options.model ?? debianEnglishModel;
    checkPocketsphinxModel(this.#model);
    this.#addon = loadPocketsphinxAddon(options.addonPath);
    const phrases =
      options.phrases !== undefined && options.phrases.length > 0
        ? writePhraseLanguageModel(options.phrases, this.#model.dict)
        : undefined;
    // Phrases in another language than the model's (a Russian script on en-us): the full model.
    this.#phraseModel = phrases !== undefined && phrases.phraseCoverage >= 0.5 ? phrases : undefined;
    // Measured with phrase models (with the full model on the 8 kHz test sentences the preset start
    // gave 69% cold / 55% after adapting vs 51% / 63% without, so it keeps the model's own start).
    if (this.#phraseModel !== undefined && options.bandFillDb === undefined)
      this.#cepstralMean.set("narrow", narrowbandCepstralMean);
    // A phrase-model decoder loads in ~10 ms and takes ~4 MB: keep one per concurrent call.
    this.#maxIdle = options.maxIdleDecoders ?? (this.#phraseModel !== undefined ? 64 : 4);
  }

  /** The small model's words and the phrase words the dictionary lacks (undefined without phrases). */
  get phraseModel(): Pick<PhraseLanguageModel, "vocabulary" | "outOfVocabulary" | "path"> | undefined {
    return this.#phraseModel;
  }

  /** Whether an utterance with this confidence is decoded again with the full model. */
  wantsFullModel(confidence: number): boolean {
    const below = this.options.fullModelBelowConfidence ?? 0;
    return this.#phraseModel !== undefined && below > 0 && confidence >= 0 && confidence < below;
  }

  /** Loads `count` decoders ahead of the first calls. */
  async warm(count = 1, band: Band = "wide"): Promise<void> {
    const made = await Promise.all(Array.from({ length: count }, () => this.#create(false)));
    for (const d of made) this.release(d, band);
  }

  /** A decoder for `band`; `fullModel`: one with the full model (the fallback of a phrase model). */
  async acquire(band: Band, fullModel = false): Promise<DecoderHandle> {
    const key = poolKey(band, fullModel && this.#phraseModel !== undefined);
    const idle = this.#idle.get(key)?.pop();
    if (idle !== undefined) return idle;
    const made = await this.#create(fullModel);
    const mean = this.#cepstralMean.get(band);
    if (mean !== undefined) this.#addon.setCepstralMean(made, mean);
    return made;
  }

  /**
   * Back to the pool; `heardSpeech`: the decoder decoded speech, so its adapted cepstral mean is
   * the band's new starting point for fresh decoders.
   */
  release(decoder: DecoderHandle, band: Band, fullModel = false, heardSpeech = false): void {
    if (heardSpeech && this.#cepstralMean.has(band))
      this.#cepstralMean.set(band, this.#addon.cepstralMean(decoder));
    const key = poolKey(band, fullModel && this.#phraseModel !== undefined);
    let idle = this.#idle.get(key);
    if (idle === undefined) {
      idle = [];
      this.#idle.set(key, idle);
    }
    if (idle.length < this.#maxIdle) idle.push(decoder);
    else this.#addon.freeDecoder(decoder);
  }

  /** Frees idle decoders (process shutdown). */
  close(): void {
    for (const idle of this.#idle.values()) for (const d of idle.splice(0)) this.#addon.freeDecoder(d);
  }

  async #create(fullModel: boolean): Promise<DecoderHandle> {
    try {
      const phrases = fullModel ? undefined : this.#phraseModel;
      return await this.#addon.createDecoder({
        ...this.#model,
        ...(phrases !== undefined ? { lm: phrases.path, dict: phrases.dictPath } : {}),
        sampleRateHz: 16000,
        args: [...(phrases !== undefined ? phraseModelDecoderArgs : []), ...(this.options.decoderArgs ?? [])],
      });
    } catch (error) {
      throw new ProviderError(
        this.name,
        "stt_pocketsphinx_model_load",
        "pocketsphinx could not load its model",
        {
          cause: error,
        },
      );
    }
  }

  open(options: SttStreamOptions): SttStream {
    return new PocketsphinxStream(this, this.#addon, options, this.options);
  }
}

type Band = "narrow" | "wide";

/** Audio (16 kHz samples) held back at most while the front end finds the band. */
const maxWaitSamples = 16000;

/**
 * The live CMN decoders settle on for speech through the 8 kHz front end: the mean of what they
 * reached after five sentences of each flite voice slt, rms and awb (en-us model, 13 cepstra; the
 * model's own starting value, for wideband speech, is 41, -5.3, -0.1, 5.1, ...).
 */
const narrowbandCepstralMean: readonly number[] = [
  56.26, -3.91, 23.12, 5.13, 14.27, -6.91, 1.1, 7.91, -19.43, 13.27, -1.31, 2.34, 11.08,
];
type PoolKey = `${Band}${"" | "-full"}`;

function poolKey(band: Band, fullModel: boolean): PoolKey {
  return fullModel ? `${band}-full` : band;
}

class PocketsphinxStream implements SttStream {
  /** The pool the decoder came from (chosen when it is first needed: by then the front end knows more). */
  #band: Band = "narrow";
  readonly #provider: PocketsphinxSttProvider;
  readonly #addon: PocketsphinxAddon;
  readonly #frontEnd: SpeechFrontEnd;
  readonly #channel = new AsyncChannel<SttResult | RingagentError>();
  readonly #batchSamples: number;
  readonly #partialEverySamples: number;
  #decoder: Promise<DecoderHandle> | undefined;
  /** Every decoder operation is chained: one at a time per decoder. */
  #chain: Promise<void>;
  #pending: Int16Array[] = [];
  #pendingSamples = 0;
  #inUtterance = false;
  #samplesInUtterance = 0;
  #samplesSincePartial = 0;
  #lastPartial = "";
  /** An utterance of 0.5 s or more was decoded (the decoder's cepstral mean has adapted). */
  #heardSpeech = false;
  /** The utterance's audio, kept for a second decoding with the full model. */
  #utterance: Int16Array[] = [];
  readonly #keepAudio: boolean;
  #closed = false;
  #failed = false;

  constructor(
    provider: PocketsphinxSttProvider,
    addon: PocketsphinxAddon,
    options: SttStreamOptions,
    o: PocketsphinxOptions,
  ) {
    this.#provider = provider;
    this.#addon = addon;
    this.#frontEnd = new SpeechFrontEnd(
      options.sampleRateHz,
      o.bandFillDb === undefined ? {} : { bandFillDb: o.bandFillDb },
    );
    this.#batchSamples = ((o.batchMs ?? 100) * 16000) / 1000;
    this.#partialEverySamples = ((o.partialEveryMs ?? 300) * 16000) / 1000;
    this.#keepAudio = (o.fullModelBelowConfidence ?? 0) > 0 && provider.phraseModel !== undefined;
    // Telephone audio: take the decoder now (no wait at the first words); other rates once the
    // front end has seen some audio (telephone audio upsampled to 16 kHz is narrowband too).
    this.#chain =
      options.sampleRateHz === 8000 ? this.#decoderFor().then(() => undefined) : Promise.resolve();
    this.#chain.catch((error: unknown) => this.#fail(error));
    options.signal.addEventListener("abort", () => this.close(), { once: true });
  }

  write(frame: AudioFrame): void {
    if (this.#closed || this.#failed) return;
    const samples = this.#frontEnd.process(frame);
    this.#pending.push(samples);
    this.#pendingSamples += samples.length;
    if (this.#pendingSamples >= this.#batchSamples && this.#mayStart()) this.#submit(false);
  }

  finalize(): void {
    if (this.#closed || this.#failed) return;
    this.#submit(true);
  }

  async *results(): AsyncIterable<SttResult> {
    for (;;) {
      const item = await this.#channel.next();
      if (item === undefined) return;
      if (item instanceof RingagentError) throw item;
      yield item;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.#chain = this.#chain.then(async () => {
      if (this.#decoder === undefined) return; // never needed one
      const decoder = await this.#decoder;
      if (this.#inUtterance) await this.#addon.endUtterance(decoder);
      this.#inUtterance = false;
      // Back to the pool of the band the audio turned out to be (adapted to it).
      const band: Band = this.#frontEnd.narrowband ? "narrow" : "wide";
      this.#provider.release(decoder, band, false, this.#heardSpeech && band === this.#band);
    });
    this.#chain.catch((error: unknown) => this.#fail(error));
    this.#channel.close();
  }

  #submit(final: boolean): void {
    const batch = joinSamples(this.#pending, this.#pendingSamples);
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#samplesSincePartial += batch.length;
    const wantPartial =
      !final && this.#partialEverySamples > 0 && this.#samplesSincePartial >= this.#partialEverySamples;
    if (wantPartial) this.#samplesSincePartial = 0;
    this.#then(async (decoder) => {
      if (batch.length > 0) {
        if (!this.#inUtterance) {
          this.#addon.startUtterance(decoder);
          this.#inUtterance = true;
          this.#samplesInUtterance = 0;
        }
        this.#samplesInUtterance += batch.length;
        if (this.#keepAudio) this.#utterance.push(batch);
        const partial = await this.#addon.processRaw(decoder, batch, wantPartial);
        if (partial !== null && partial !== this.#lastPartial && partial.length > 0) {
          this.#lastPartial = partial;
          this.#emit({ text: partial, final: false });
        }
      }
      if (!final) return;
      let text = "";
      if (this.#inUtterance) {
        this.#inUtterance = false;
        if (this.#samplesInUtterance >= 8000) this.#heardSpeech = true;
        text = await this.#addon.endUtterance(decoder);
        const audio = this.#utterance;
        this.#utterance = [];
        if (audio.length > 0 && this.#provider.wantsFullModel(this.#addon.lastConfidence(decoder)))
          text = await this.#decodeWithFullModel(audio);
      }
      this.#lastPartial = "";
      this.#samplesSincePartial = 0;
      this.#emit({ text, final: true });
    });
  }

  /** Decodes the utterance again with a full-model decoder from the provider's pool. */
  async #decodeWithFullModel(audio: readonly Int16Array[]): Promise<string> {
    const decoder = await this.#provider.acquire(this.#band, true);
    let text: string;
    try {
      this.#addon.startUtterance(decoder);
      await this.#addon.processRaw(
        decoder,
        joinSamples(
          audio,
          audio.reduce((n, a) => n + a.length, 0),
        ),
        false,
      );
      text = await this.#addon.endUtterance(decoder);
    } catch (error) {
      this.#addon.freeDecoder(decoder); // its state is unknown: never back to the pool
      throw error;
    }
    this.#provider.release(decoder, this.#band, true, true);
    return text;
  }

  #then(step: (decoder: DecoderHandle) => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#failed) return;
      await step(await this.#decoderFor());
    });
    this.#chain.catch((error: unknown) => this.#fail(error));
  }

  /**
   * Decoding may start: the decoder is taken, or the front end knows the band (so it comes from the
   * right pool), or a second of audio waits (then telephone band is the guess).
   */
  #mayStart(): boolean {
    return this.#decoder !== undefined || this.#frontEnd.bandKnown || this.#pendingSamples >= maxWaitSamples;
  }

  #decoderFor(): Promise<DecoderHandle> {
    if (this.#decoder === undefined) {
      this.#band = this.#frontEnd.narrowband ? "narrow" : "wide";
      this.#decoder = this.#provider.acquire(this.#band);
    }
    return this.#decoder;
  }

  #emit(result: SttResult): void {
    if (!this.#closed) this.#channel.push(result);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const e =
      error instanceof RingagentError
        ? error
        : new ProviderError("pocketsphinx", "stt_pocketsphinx_failed", "pocketsphinx decoding failed", {
            cause: error,
          });
    this.#channel.push(e);
    this.#channel.close();
  }
}

function joinSamples(parts: readonly Int16Array[], total: number): Int16Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
