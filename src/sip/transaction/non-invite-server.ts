import type { Timer } from "../../shared/index.js";
import { serializeMessage } from "../message/message-serializer.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { isReliable } from "../transport/transport-types.js";
import type { ServerTransactionOptions } from "./invite-server.js";
import { transmit } from "./transaction-send.js";
import type { TransactionContext, TransitionTable } from "./transaction-types.js";
import { checkedTransition } from "./transaction-types.js";

/** RFC 3261 17.2.2. */
export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

const transitions: TransitionTable<NonInviteServerState> = {
  trying: ["proceeding", "completed", "terminated"],
  proceeding: ["completed", "terminated"],
  completed: ["terminated"],
  terminated: [],
};

export class NonInviteServerTransaction {
  readonly kind = "non-invite-server" as const;
  readonly key: string;
  readonly request: SipRequest;
  #state: NonInviteServerState = "trying";
  #ctx: TransactionContext;
  #options: ServerTransactionOptions;
  #reliable: boolean;
  #lastResponse: Buffer | undefined;
  #lastStatus = 0;
  #timerJ: Timer | undefined;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, options: ServerTransactionOptions) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.#options = options;
    this.#reliable = isReliable(options.responseDestination.protocol);
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  get lastStatus(): number {
    return this.#lastStatus;
  }

  respond(response: SipResponse): void {
    if (this.#state === "completed" || this.#state === "terminated") return;
    const data = serializeMessage(response);
    this.#lastResponse = data;
    this.#lastStatus = response.status;
    this.#send(data);
    if (response.status < 200) {
      // RFC 3261 17.2.2: "While in the "Trying" state, if the TU passes a provisional response to the server transaction, the server transaction MUST enter the "Proceeding" state."
      if (this.#state === "trying") this.#transition("proceeding");
      return;
    }
    // RFC 3261 17.2.2: "If the TU passes a final response (status codes 200-699) to the server while in the "Proceeding" [or "Trying"] state, the transaction MUST enter the "Completed" state, and the response MUST be passed to the transport layer for transmission."
    this.#transition("completed");
    // RFC 3261 17.2.2: "When the server transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    this.#timerJ = this.#ctx.clock.setTimer(this.#reliable ? 0 : 64 * this.#ctx.timers.t1Ms, () =>
      this.#terminate(),
    );
  }

  /** A retransmission of the request (never passed to the TU). */
  receiveRequest(_request: SipRequest): void {
    // RFC 3261 17.2.2: "Once in the "Trying" state, any further request retransmissions are discarded."
    if (this.#state === "trying" || this.#lastResponse === undefined) return;
    // RFC 3261 17.2.2: "If a retransmission of the request is received while in the "Proceeding" state, the most recently sent provisional response MUST be passed to the transport layer for retransmission."
    // RFC 3261 17.2.2: "While in the "Completed" state, the server transaction MUST pass the final response to the transport layer for retransmission whenever a retransmission of the request is received."
    if (this.#state === "proceeding" || this.#state === "completed") this.#send(this.#lastResponse);
  }

  terminate(): void {
    this.#terminate();
  }

  #send(data: Buffer): void {
    transmit(this.#ctx, data, this.#options.responseDestination, this.#options.flowId, (error) => {
      if (this.#state === "terminated") return;
      // RFC 3261 17.2.4: inform the TU of the transport failure.
      this.#terminate();
      this.#options.onFailure({ reason: "transport", error });
    });
  }

  #transition(to: NonInviteServerState): void {
    this.#state = checkedTransition(transitions, this.#state, to, this.#ctx.logger, this.kind);
  }

  #terminate(): void {
    if (this.#state === "terminated") return;
    this.#transition("terminated");
    this.#timerJ?.cancel();
    this.#ctx.onTerminated(this.key);
  }
}
