/**
 * A client for baresip's ctrl_tcp module: netstring-framed JSON commands and events.
 *   command  → `LEN:{"command":"dial","params":"sip:...","token":"t1"},`
 *   response ← `{"response":true,"ok":true,"data":"...","token":"t1"}`
 *   event    ← `{"event":true,"class":"call","type":"CALL_ESTABLISHED","accountaor":"...","param":"..."}`
 * Every event is kept, so waitForEvent() also finds events that arrived before it was called.
 */
import { connect, type Socket } from "node:net";
import { BED_HOST } from "./ports.js";

export interface BaresipResponse {
  ok: boolean;
  data: string;
  token: string;
}

export interface BaresipEvent {
  type: string;
  class: string;
  accountaor: string;
  direction: string;
  peeruri: string;
  id: string;
  param: string;
  /** The whole decoded event object. */
  raw: Record<string, unknown>;
  /** When it arrived (Date.now()). */
  atMs: number;
}

export type BaresipEventType =
  | "REGISTERING"
  | "REGISTER_OK"
  | "REGISTER_FAIL"
  | "UNREGISTERING"
  | "CALL_INCOMING"
  | "CALL_OUTGOING"
  | "CALL_RINGING"
  | "CALL_PROGRESS"
  | "CALL_ANSWERED"
  | "CALL_ESTABLISHED"
  | "CALL_CLOSED"
  | "CALL_RTPESTAB"
  | "CALL_RTCP"
  | "CALL_MENC"
  | "CALL_DTMF_START"
  | "CALL_DTMF_END"
  | "CALL_HOLD"
  | "CALL_RESUME"
  | (string & {});

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

export class BaresipCtrl {
  private readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private nextToken = 1;
  private readonly pending = new Map<
    string,
    { resolve: (r: BaresipResponse) => void; reject: (e: Error) => void }
  >();
  private readonly eventLog: BaresipEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private closedError: Error | undefined;
  /** Frames that were not valid JSON (counted, never thrown). */
  malformedFrames = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) => this.onClose(error));
    socket.on("close", () => this.onClose(new Error("ctrl_tcp connection closed")));
  }

  /** Connects to ctrl_tcp on 127.0.0.1:`port`, retrying until `timeoutMs`. */
  static async connect(port: number, timeoutMs = 10_000): Promise<BaresipCtrl> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ port, host: BED_HOST });
          s.once("connect", () => {
            s.removeListener("error", reject);
            resolve(s);
          });
          s.once("error", reject);
        });
        return new BaresipCtrl(socket);
      } catch (error) {
        if (Date.now() >= deadline) throw new Error(`ctrl_tcp ${port}: cannot connect: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Sends one command; resolves with baresip's response (ok=false is returned, not thrown). */
  command(command: string, params = "", timeoutMs = 10_000): Promise<BaresipResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    const token = `t${this.nextToken++}`;
    const json = JSON.stringify({ command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`ctrl_tcp: no response to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  /** Like command() but throws when baresip answers ok=false. */
  async mustCommand(command: string, params = ""): Promise<string> {
    const response = await this.command(command, params);
    if (!response.ok) throw new Error(`baresip ${command} failed: ${response.data}`);
    return response.data;
  }

  dial(uri: string): Promise<string> {
    return this.mustCommand("dial", uri);
  }
  /** Answers the current incoming call (`accept`). */
  answer(): Promise<string> {
    return this.mustCommand("accept");
  }
  hangup(): Promise<BaresipResponse> {
    return this.command("hangup");
  }
  hold(): Promise<string> {
    return this.mustCommand("hold");
  }
  resume(): Promise<string> {
    return this.mustCommand("resume");
  }
  listCalls(): Promise<string> {
    return this.mustCommand("listcalls");
  }
  regInfo(): Promise<string> {
    return this.mustCommand("reginfo");
  }
  /** Sends DTMF digits in the current call (`sndcode`). */
  sendDigits(digits: string): Promise<string> {
    return this.mustCommand("sndcode", digits);
  }
  help(): Promise<string> {
    return this.mustCommand("help");
  }
  /** Asks baresip to quit; the response may be lost when it exits first. */
  async quit(): Promise<void> {
    await this.command("quit", "", 2_000).catch(() => undefined);
  }

  /** Every event received so far. */
  events(): readonly BaresipEvent[] {
    return this.eventLog;
  }

  /**
   * Resolves with the first event (at index >= `fromIndex`) of `type` matching `predicate`;
   * rejects at the deadline or when the connection closes.
   */
  waitForEvent(
    type: BaresipEventType,
    options: { timeoutMs?: number; fromIndex?: number; predicate?: (e: BaresipEvent) => boolean } = {},
  ): Promise<BaresipEvent> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    let index = options.fromIndex ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (; index < this.eventLog.length; index++) {
          const event = this.eventLog[index];
          if (event && event.type === type && (options.predicate?.(event) ?? true)) {
            finish();
            resolve(event);
            return;
          }
        }
        if (this.closedError) {
          finish();
          reject(new Error(`ctrl_tcp closed while waiting for ${type}: ${this.closedError.message}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        const seen = this.eventLog.map((e) => e.type).join(",");
        reject(new Error(`no ${type} event within ${timeoutMs} ms (seen: ${seen || "none"})`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Async stream of events from `fromIndex` on; ends when the connection closes. */
  async *stream(fromIndex = 0): AsyncGenerator<BaresipEvent> {
    let index = fromIndex;
    for (;;) {
      while (index < this.eventLog.length) {
        const event = this.eventLog[index++];
        if (event) yield event;
      }
      if (this.closedError) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString("latin1"));
      if (!Number.isInteger(length) || length < 0) {
        this.malformedFrames++;
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.buffer.length < colon + 1 + length + 1) return;
      const body = this.buffer.subarray(colon + 1, colon + 1 + length).toString("utf8");
      this.buffer = this.buffer.subarray(colon + 2 + length);
      this.onMessage(body);
    }
  }

  private onMessage(body: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
      message = parsed as Record<string, unknown>;
    } catch {
      this.malformedFrames++;
      return;
    }
    if (message.response === true) {
      const token = text(message.token);
      const waiter = this.pending.get(token);
      this.pending.delete(token);
      waiter?.resolve({ ok: message.ok === true, data: text(message.data), token });
      return;
    }
    if (message.event === true) {
      this.eventLog.push({
        type: text(message.type),
        class: text(message.class),
        accountaor: text(message.accountaor),
        direction: text(message.direction),
        peeruri: text(message.peeruri),
        id: text(message.id),
        param: text(message.param),
        raw: message,
        atMs: Date.now(),
      });
      for (const waiter of [...this.waiters]) waiter();
    }
  }

  private onClose(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    for (const waiter of [...this.waiters]) waiter();
  }
}
