import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type AudioFrame, samplesPerFrame } from "../../media/index.js";
import type { WordTiming } from "../turn/heard-text.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "./tts-types.js";

export interface TtsCacheOptions {
  /** Memory bound for cached audio (bytes). */
  readonly maxBytes?: number;
  /** Optional directory: entries survive restarts (one raw PCM file per phrase). */
  readonly dir?: string;
}

interface Entry {
  readonly frames: AudioFrame[];
  readonly words: readonly WordTiming[] | undefined;
  readonly bytes: number;
}

/**
 * Caches synthesized phrases (greetings, fillers, apologies, repeated answers) keyed by
 * engine + voice + rate + text: an LRU in memory bounded by bytes, plus an optional directory.
 */
export class CachingTtsProvider implements TtsProvider {
  readonly name: string;
  readonly voice: string;
  readonly #inner: TtsProvider;
  readonly #maxBytes: number;
  readonly #dir: string | undefined;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(inner: TtsProvider, options: TtsCacheOptions = {}) {
    this.#inner = inner;
    this.name = inner.name;
    this.voice = inner.voice;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.#dir = options.dir;
  }

  get sizeBytes(): number {
    return this.#bytes;
  }

  get entries(): number {
    return this.#entries.size;
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    const key = `${this.#inner.name}\u0000${this.#inner.voice}\u0000${request.sampleRateHz}\u0000${request.text}`;
    const cached = this.#entries.get(key) ?? (await this.#readDisk(key, request.sampleRateHz));
    if (cached !== undefined) {
      this.hits++;
      this.#remember(key, cached);
      for (let i = 0; i < cached.frames.length; i++) {
        const frame = cached.frames[i] as AudioFrame;
        yield i === 0 && cached.words !== undefined ? { frame, words: cached.words } : { frame };
      }
      return;
    }
    this.misses++;
    const frames: AudioFrame[] = [];
    let words: readonly WordTiming[] | undefined;
    for await (const chunk of this.#inner.synthesize(request)) {
      frames.push(chunk.frame);
      words = chunk.words ?? words;
      yield chunk;
    }
    const entry = { frames, words, bytes: frames.reduce((a, f) => a + f.samples.byteLength, 0) };
    this.#remember(key, entry);
    await this.#writeDisk(key, entry);
  }

  #remember(key: string, entry: Entry): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    if (entry.bytes > this.#maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.bytes;
    }
  }

  #path(key: string): string | undefined {
    if (this.#dir === undefined) return undefined;
    return join(this.#dir, `${createHash("sha256").update(key).digest("hex")}.pcm`);
  }

  async #readDisk(key: string, sampleRateHz: number): Promise<Entry | undefined> {
    const path = this.#path(key);
    if (path === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    const n = samplesPerFrame(sampleRateHz);
    const all = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.length & ~1)));
    const frames: AudioFrame[] = [];
    for (let at = 0; at + n <= all.length; at += n)
      frames.push({ samples: all.slice(at, at + n), sampleRateHz });
    return { frames, words: undefined, bytes: all.byteLength };
  }

  async #writeDisk(key: string, entry: Entry): Promise<void> {
    const path = this.#path(key);
    if (path === undefined || this.#dir === undefined) return;
    try {
      await mkdir(this.#dir, { recursive: true });
      const all = new Int16Array(entry.frames.reduce((a, f) => a + f.samples.length, 0));
      let at = 0;
      for (const f of entry.frames) {
        all.set(f.samples, at);
        at += f.samples.length;
      }
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, new Uint8Array(all.buffer));
      await rename(temporary, path);
    } catch {
      // A cache that cannot write is still a working TTS.
    }
  }
}
