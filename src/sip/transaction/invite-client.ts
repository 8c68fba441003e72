import type { Timer } from "../../shared/index.js";
import { createAck, createResponse } from "../message/message-builders.js";
import { serializeMessage } from "../message/message-serializer.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { SipAddress } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";
import { transmit } from "./transaction-send.js";
import type { ClientTransactionUser, TransactionContext, TransitionTable } from "./transaction-types.js";
import { checkedTransition } from "./transaction-types.js";

/** RFC 3261 17.1.1 with the RFC 6026 Accepted state. */
export type InviteClientState = "calling" | "proceeding" | "accepted" | "completed" | "terminated";

const transitions: TransitionTable<InviteClientState> = {
  calling: ["proceeding", "accepted", "completed", "terminated"],
  proceeding: ["accepted", "completed", "terminated"],
  accepted: ["terminated"],
  completed: ["terminated"],
  terminated: [],
};

/** RFC 3261 17.1.1.2: Timer D is at least 32 s for unreliable transports, zero for reliable ones. */
const timerDUnreliableMs = 32_000;

export class InviteClientTransaction {
  readonly kind = "invite-client" as const;
  readonly key: string;
  readonly request: SipRequest;
  readonly destination: SipAddress;
  #state: InviteClientState = "calling";
  #ctx: TransactionContext;
  #user: ClientTransactionUser;
  #data: Buffer;
  #flowId: string | undefined;
  #reliable: boolean;
  #ack: Buffer | undefined;
  #timerA: Timer | undefined;
  #timerB: Timer | undefined;
  #timerD: Timer | undefined;
  #timerM: Timer | undefined;

  constructor(
    ctx: TransactionContext,
    key: string,
    request: SipRequest,
    destination: SipAddress,
    user: ClientTransactionUser,
    flowId?: string,
  ) {
    this.#ctx = ctx;
    this.key = key;
    this.request = request;
    this.destination = destination;
    this.#user = user;
    this.#flowId = flowId;
    this.#reliable = isReliable(destination.protocol);
    this.#data = serializeMessage(request);
  }

  get state(): InviteClientState {
    return this.#state;
  }

  /** The flow the INVITE went out on (for the ACK to a 2xx and in-dialog requests on streams). */
  get flowId(): string | undefined {
    return this.#flowId;
  }

  /** Sends the INVITE and arms Timers A and B. */
  start(): void {
    const { t1Ms } = this.#ctx.timers;
    this.#send(this.#data);
    // RFC 3261 17.1.1.2: "If an unreliable transport is being used, the client transaction MUST start timer A with a value of T1."
    if (!this.#reliable) this.#armTimerA(t1Ms);
    // RFC 3261 17.1.1.2: "For any transport, the client transaction MUST start timer B with a value of 64*T1 seconds."
    this.#timerB = this.#ctx.clock.setTimer(64 * t1Ms, () => this.#onTimerB());
  }

  #armTimerA(intervalMs: number): void {
    this.#timerA = this.#ctx.clock.setTimer(intervalMs, () => {
      if (this.#state !== "calling") return;
      // RFC 3261 17.1.1.2: "When timer A fires, the client transaction MUST retransmit the request ... and reset the timer with a value of 2*T1."
      this.#send(this.#data);
      this.#armTimerA(intervalMs * 2);
    });
  }

  #onTimerB(): void {
    if (this.#state !== "calling") return;
    // RFC 3261 17.1.1.2: "If the client transaction is still in the "Calling" state when timer B fires, the client transaction SHOULD inform the TU that a timeout has occurred."
    this.#terminate();
    this.#user.onFailure({ reason: "timeout", response: createResponse(this.request, 408) });
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.#state) {
      case "calling":
      case "proceeding":
        if (status < 200) {
          // RFC 3261 17.1.1.2: "If the client transaction receives a provisional response while in the "Calling" state, it transitions to the "Proceeding" state ... SHOULD NOT retransmit the request any longer."
          if (this.#state === "calling") this.#transition("proceeding");
          this.#timerA?.cancel();
          this.#timerB?.cancel();
          this.#user.onResponse(response);
        } else if (status < 300) {
          // RFC 6026 8.4: "When a 2xx response is received while in the "Calling" or "Proceeding" states, the client transaction MUST transition to the "Accepted" state, and Timer M MUST be set to fire in 64*T1."
          this.#transition("accepted");
          this.#cancelRetransmitTimers();
          this.#timerM = this.#ctx.clock.setTimer(64 * this.#ctx.timers.t1Ms, () => {
            // RFC 6026 8.4: "If Timer M fires while the client transaction is in the "Accepted" state, the client transaction MUST move to the "Terminated" state."
            this.#terminate();
          });
          this.#user.onResponse(response);
        } else {
          // RFC 3261 17.1.1.2: "When in either the "Calling" or "Proceeding" states, reception of a response with status code from 300-699 MUST cause the client transaction to transition to "Completed". The client transaction MUST pass the received response up to the TU, and the client transaction MUST generate an ACK request."
          this.#transition("completed");
          this.#cancelRetransmitTimers();
          this.#ack = serializeMessage(createAck(this.request, response));
          this.#send(this.#ack);
          this.#user.onResponse(response);
          const timerDMs = this.#reliable ? 0 : timerDUnreliableMs;
          // RFC 3261 17.1.1.2: "If timer D fires while the client transaction is in the "Completed" state, the client transaction MUST move to the terminated state."
          this.#timerD = this.#ctx.clock.setTimer(timerDMs, () => this.#terminate());
        }
        return;
      case "accepted":
        // RFC 6026 8.4: "Any 2xx responses that match this client transaction and that are received while in the "Accepted" state MUST be passed up to the TU."
        if (status >= 200 && status < 300) this.#user.onResponse(response);
        return;
      case "completed":
        // RFC 3261 17.1.1.2: "Any retransmissions of the final response that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport layer for retransmission, but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.#ack !== undefined) this.#send(this.#ack);
        return;
      case "terminated":
        return;
    }
  }

  /** Stops every timer and forgets the transaction (e.g. on shutdown). */
  terminate(): void {
    this.#terminate();
  }

  #send(data: Buffer): void {
    transmit(
      this.#ctx,
      data,
      this.destination,
      this.#flowId,
      (error) => this.#onTransportError(error),
      (flowId) => {
        this.#flowId = flowId;
      },
    );
  }

  #onTransportError(error: unknown): void {
    if (this.#state === "terminated") return;
    const wasCalling = this.#state === "calling";
    // RFC 3261 17.1.4: "the client transaction SHOULD inform the TU that a transport failure has occurred, and the client transaction SHOULD transition directly to the "Terminated" state. The TU will handle the failover mechanisms described in [4]."
    this.#terminate();
    if (wasCalling)
      this.#user.onFailure({ reason: "transport", response: createResponse(this.request, 503), error });
  }

  #cancelRetransmitTimers(): void {
    this.#timerA?.cancel();
    this.#timerB?.cancel();
  }

  #transition(to: InviteClientState): void {
    this.#state = checkedTransition(transitions, this.#state, to, this.#ctx.logger, this.kind);
  }

  #terminate(): void {
    if (this.#state === "terminated") return;
    this.#transition("terminated");
    this.#timerA?.cancel();
    this.#timerB?.cancel();
    this.#timerD?.cancel();
    this.#timerM?.cancel();
    this.#ctx.onTerminated(this.key);
  }
}
