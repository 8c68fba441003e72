import type { Timer } from "../../shared/index.js";
import { createResponse } from "../message/message-builders.js";
import { serializeMessage } from "../message/message-serializer.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { SipAddress } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";
import { transmit } from "./transaction-send.js";
import type { ServerTransactionFailure, TransactionContext, TransitionTable } from "./transaction-types.js";
import { checkedTransition } from "./transaction-types.js";

/** RFC 3261 17.2.1 with the RFC 6026 Accepted state. */
export type InviteServerState = "proceeding" | "accepted" | "completed" | "confirmed" | "terminated";

const transitions: TransitionTable<InviteServerState> = {
  proceeding: ["accepted", "completed", "terminated"],
  accepted: ["terminated"],
  completed: ["confirmed", "terminated"],
  confirmed: ["terminated"],
  terminated: [],
};

export interface ServerTransactionOptions {
  /** Where responses go (RFC 3261 18.2.2 / RFC 3581), and on which flow. */
  readonly responseDestination: SipAddress;
  readonly flowId?: string | undefined;
  readonly onFailure: (failure: ServerTransactionFailure) => void;
}

export class InviteServerTransaction {
  readonly kind = "invite-server" as const;
  readonly key: string;
  readonly request: SipRequest;
  #state: InviteServerState = "proceeding";
  #ctx: TransactionContext;
  #options: ServerTransactionOptions;
  #reliable: boolean;
  #lastResponse: Buffer | undefined;
  #lastStatus = 0;
  #timerTrying: Timer | undefined;
  #timerG: Timer | undefined;
  #timerH: Timer | undefined;
  #timerI: Timer | undefined;
  #timerL: Timer | undefined;

  constructor(ctx: TransactionContext, key: string, request: SipRequest, options: ServerTransactionOptions) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.#options = options;
    this.#reliable = isReliable(options.responseDestination.protocol);
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** Status of the last response sent (0 before any). */
  get lastStatus(): number {
    return this.#lastStatus;
  }

  /**
   * Arms the 100 Trying: RFC 3261 17.2.1 "the server transaction MUST generate a 100 (Trying)
   * response unless it knows that the TU will generate a provisional or final response within 200 ms".
   * `delayMs` 0 sends it at once.
   */
  start(trying100DelayMs: number): void {
    const sendTrying = (): void => {
      if (this.#state === "proceeding" && this.#lastResponse === undefined) {
        this.respond(createResponse(this.request, 100));
      }
    };
    if (trying100DelayMs <= 0) sendTrying();
    else this.#timerTrying = this.#ctx.clock.setTimer(trying100DelayMs, sendTrying);
  }

  /** Sends a response from the TU through the transaction. */
  respond(response: SipResponse): void {
    const status = response.status;
    const data = serializeMessage(response);
    switch (this.#state) {
      case "proceeding":
        this.#timerTrying?.cancel();
        this.#lastResponse = data;
        this.#lastStatus = status;
        this.#send(data);
        if (status < 200) {
          // RFC 3261 17.2.1: "The TU passes any number of provisional responses to the server transaction. So long as the server transaction is in the "Proceeding" state, each of these MUST be passed to the transport layer for transmission."
          return;
        }
        if (status < 300) {
          // RFC 6026 8.5: "If, while in the "Proceeding" state, the TU passes a 2xx response to the server transaction, the server transaction MUST pass this response to the transport layer for transmission ... The server transaction MUST then transition to the "Accepted" state."
          this.#transition("accepted");
          this.#timerL = this.#ctx.clock.setTimer(64 * this.#ctx.timers.t1Ms, () => {
            // RFC 6026 8.7: "If Timer L fires while the INVITE server transaction is in the "Accepted" state, the transaction MUST transition to the "Terminated" state."
            this.#terminate();
          });
          return;
        }
        // RFC 3261 17.2.1: "While in the "Proceeding" state, if the TU passes a response with status code from 300 to 699 to the server transaction, the response MUST be passed to the transport layer for transmission, and the state machine MUST enter the "Completed" state."
        this.#transition("completed");
        // RFC 3261 17.2.1: "For unreliable transports, timer G is set to fire in T1 seconds, and is not set to fire for reliable transports."
        if (!this.#reliable) this.#armTimerG(this.#ctx.timers.t1Ms);
        // RFC 3261 17.2.1: "When the "Completed" state is entered, timer H MUST be set to fire in 64*T1 seconds for all transports."
        this.#timerH = this.#ctx.clock.setTimer(64 * this.#ctx.timers.t1Ms, () => {
          if (this.#state !== "completed") return;
          // RFC 3261 17.2.1: "If timer H fires while in the "Completed" state, it implies that the ACK was never received. In this case, the server transaction MUST transition to the "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred."
          this.#terminate();
          this.#options.onFailure({ reason: "timeout" });
        });
        return;
      case "accepted":
        // RFC 6026 8.6: "Any retransmission of the 2xx response passed from the TU to the transaction while in the "Accepted" state MUST be passed to the transport layer for transmission."
        if (status >= 200 && status < 300) this.#send(data);
        return;
      case "completed":
      case "confirmed":
      case "terminated":
        return;
    }
  }

  #armTimerG(intervalMs: number): void {
    this.#timerG = this.#ctx.clock.setTimer(intervalMs, () => {
      if (this.#state !== "completed" || this.#lastResponse === undefined) return;
      // RFC 3261 17.2.1: "If timer G fires, the response is passed to the transport layer once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds."
      this.#send(this.#lastResponse);
      this.#armTimerG(Math.min(2 * intervalMs, this.#ctx.timers.t2Ms));
    });
  }

  /** A retransmitted INVITE or an ACK matched to this transaction (never passed to the TU). */
  receiveRequest(request: SipRequest): void {
    if (request.method === "ACK") {
      if (this.#state !== "completed") return;
      // RFC 3261 17.2.1: "If an ACK is received while the server transaction is in the "Completed" state, the server transaction MUST transition to the "Confirmed" state."
      this.#transition("confirmed");
      this.#timerG?.cancel();
      this.#timerH?.cancel();
      // RFC 3261 17.2.1: "When this state is entered, timer I is set to fire in T4 seconds for unreliable transports, and zero seconds for reliable transports."
      this.#timerI = this.#ctx.clock.setTimer(this.#reliable ? 0 : this.#ctx.timers.t4Ms, () =>
        this.#terminate(),
      );
      return;
    }
    // RFC 3261 17.2.1: "If a request retransmission is received while in the "Proceeding" state, the most recent provisional response that was received from the TU MUST be passed to the transport layer for retransmission."
    // RFC 3261 17.2.1: "while in the "Completed" state, if a request retransmission is received, the server SHOULD pass the response to the transport for retransmission."
    // RFC 6026 8.5: "Any retransmissions of the INVITE received while in the "Accepted" state MUST be absorbed"
    if ((this.#state === "proceeding" || this.#state === "completed") && this.#lastResponse !== undefined) {
      this.#send(this.#lastResponse);
    }
  }

  terminate(): void {
    this.#terminate();
  }

  #send(data: Buffer): void {
    const dest = this.#options.responseDestination;
    transmit(this.#ctx, data, dest, this.#options.flowId, (error) => {
      if (this.#state === "terminated") return;
      // RFC 3261 17.2.4: on a transport failure the server transaction informs the TU (and gives up).
      this.#terminate();
      this.#options.onFailure({ reason: "transport", error });
    });
  }

  #transition(to: InviteServerState): void {
    this.#state = checkedTransition(transitions, this.#state, to, this.#ctx.logger, this.kind);
  }

  #terminate(): void {
    if (this.#state === "terminated") return;
    this.#transition("terminated");
    for (const t of [this.#timerTrying, this.#timerG, this.#timerH, this.#timerI, this.#timerL]) t?.cancel();
    this.#ctx.onTerminated(this.key);
  }
}
