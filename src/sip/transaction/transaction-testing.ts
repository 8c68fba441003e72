import { parseMessage } from "../message/message-parser.js";
import type { SipMessage } from "../message/sip-message.js";
import type { SendOptions, SendResult, SipAddress } from "../transport/transport-types.js";
import type { MessageSender } from "./transaction-types.js";

export interface SentRecord {
  readonly atMs: number;
  readonly message: SipMessage;
  readonly destination: SipAddress;
  readonly options: SendOptions | undefined;
}

/** An in-memory {@link MessageSender} for tests: records what was sent and when; can be made to fail. */
export class FakeSender implements MessageSender {
  readonly sent: SentRecord[] = [];
  fail = false;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  send(data: Buffer, destination: SipAddress, options?: SendOptions): Promise<SendResult> {
    if (this.fail) return Promise.reject(new Error("transport down"));
    const parsed = parseMessage(data);
    if (parsed.ok) this.sent.push({ atMs: this.#now(), message: parsed.message, destination, options });
    return Promise.resolve({
      flowId: options?.flowId ?? "flow-1",
      local: { protocol: destination.protocol, host: "127.0.0.1", port: 5060 },
    });
  }

  /** Send times (ms) of messages matching `pick`. */
  times(pick: (m: SipMessage) => boolean): number[] {
    return this.sent.filter((s) => pick(s.message)).map((s) => s.atMs);
  }
}
