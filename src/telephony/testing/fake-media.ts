/** In-memory media sessions for telephony and agent tests: no sockets; tests push frames and digits. */
import { EventEmitter } from "node:events";
import type { AudioFrame, NegotiatedMedia } from "../../media/index.js";
import { newId } from "../../shared/index.js";
import type {
  CallMediaFactory,
  CallMediaSession,
  PlayoutFlush,
  PlayoutHandle,
  PlayoutResult,
  ReceivedDigit,
  UtteranceInput,
} from "../media-port.js";

class FakePlayout implements PlayoutHandle {
  readonly id = newId();
  playoutMs = 0;
  readonly frames: AudioFrame[] = [];
  readonly finished: Promise<PlayoutResult>;
  resolve!: (result: PlayoutResult) => void;
  done = false;

  constructor() {
    this.finished = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  end(reason: PlayoutResult["reason"]): void {
    if (this.done) return;
    this.done = true;
    this.resolve({ utteranceId: this.id, reason, playoutMs: this.playoutMs });
  }
}

export class FakeMediaSession extends EventEmitter<{ dtmf: [ReceivedDigit] }> implements CallMediaSession {
  readonly localPort: number;
  readonly configured: NegotiatedMedia[] = [];
  readonly playouts: FakePlayout[] = [];
  readonly digitsSent: string[] = [];
  closed = false;
  idleMs = 0;
  #queue: AudioFrame[] = [];
  #waiter: ((r: IteratorResult<AudioFrame>) => void) | undefined;

  constructor(localPort: number) {
    super();
    this.localPort = localPort;
  }

  configure(negotiated: NegotiatedMedia): void {
    this.configured.push(negotiated);
  }

  /** Test side: the caller "says" a frame. */
  pushFrame(frame: AudioFrame): void {
    if (this.closed) return;
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      w({ done: false, value: frame });
    } else this.#queue.push(frame);
  }

  frames(): AsyncIterable<AudioFrame> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<AudioFrame>> => {
          const frame = this.#queue.shift();
          if (frame) return Promise.resolve({ done: false, value: frame });
          if (this.closed) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => {
            this.#waiter = resolve;
          });
        },
      }),
    };
  }

  play(utterance: UtteranceInput): PlayoutHandle {
    const handle = new FakePlayout();
    this.playouts.push(handle);
    void (async () => {
      for await (const frame of utterance) {
        if (handle.done) return;
        handle.frames.push(frame);
        handle.playoutMs += 20;
      }
      handle.end("completed");
    })();
    return handle;
  }

  flush(): PlayoutFlush {
    const playing = this.playouts.find((p) => !p.done);
    for (const p of this.playouts) p.end("flushed");
    return { utteranceId: playing?.id, playoutMs: playing?.playoutMs ?? 0 };
  }

  async sendDigit(digit: string): Promise<boolean> {
    this.digitsSent.push(digit);
    return true;
  }

  inboundIdleMs(): number {
    return this.idleMs;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.playouts) p.end("closed");
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.({ done: true, value: undefined });
  }
}

export class FakeMediaFactory implements CallMediaFactory {
  readonly localAddress = "127.0.0.1";
  readonly sessions: FakeMediaSession[] = [];
  #nextPort = 40_000;
  failNext = false;

  async open(): Promise<FakeMediaSession> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("no ports");
    }
    const session = new FakeMediaSession(this.#nextPort);
    this.#nextPort += 2;
    this.sessions.push(session);
    return session;
  }

  get openSessions(): number {
    return this.sessions.filter((s) => !s.closed).length;
  }
}
