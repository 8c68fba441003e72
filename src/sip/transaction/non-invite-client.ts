import type { Timer } from "../../shared/index.js";
import { createResponse } from "../message/message-builders.js";
import { serializeMessage } from "../message/message-serializer.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { SipAddress } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";
import { transmit } from "./transaction-send.js";
import type { ClientTransactionUser, TransactionContext, TransitionTable } from "./transaction-types.js";
import { checkedTransition } from "./transaction-types.js";

/** RFC 3261 17.1.2.2. */
export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

const transitions: TransitionTable<NonInviteClientState> = {
  trying: ["proceeding", "completed", "terminated"],
  proceeding: ["completed", "terminated"],
  completed: ["terminated"],
  terminated: [],
};

export class NonInviteClientTransaction {
  readonly kind = "non-invite-client" as const;
  readonly key: string;
  readonly request: SipRequest;
  readonly destination: SipAddress;
  #state: NonInviteClientState = "trying";
  #ctx: TransactionContext;
  #user: ClientTransactionUser;
  #data: Buffer;
  #flowId: string | undefined;
  #reliable: boolean;
  #timerE: Timer | undefined;
  #timerF: Timer | undefined;
  #timerK: Timer | undefined;

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

  get state(): NonInviteClientState {
    return this.#state;
  }

  get flowId(): string | undefined {
    return this.#flowId;
  }

  start(): void {
    const { t1Ms } = this.#ctx.timers;
    this.#send();
    // RFC 3261 17.1.2.2: "If an unreliable transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
    if (!this.#reliable) this.#armTimerE(t1Ms);
    // RFC 3261 17.1.2.2: "the client transaction MUST set timer F to fire in 64*T1 seconds."
    this.#timerF = this.#ctx.clock.setTimer(64 * t1Ms, () => {
      if (this.#state !== "trying" && this.#state !== "proceeding") return;
      // RFC 3261 17.1.2.2: "If Timer F fires while the client transaction is still in the "Trying" state, the client transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the "Terminated" state." (same in "Proceeding")
      this.#terminate();
      this.#user.onFailure({ reason: "timeout", response: createResponse(this.request, 408) });
    });
  }

  #armTimerE(intervalMs: number): void {
    this.#timerE = this.#ctx.clock.setTimer(intervalMs, () => {
      const { t2Ms } = this.#ctx.timers;
      if (this.#state === "trying") {
        // RFC 3261 17.1.2.2: "If timer E fires while still in this state, the timer is reset, but this time with a value of MIN(2*T1, T2)."
        this.#send();
        this.#armTimerE(Math.min(2 * intervalMs, t2Ms));
      } else if (this.#state === "proceeding") {
        // RFC 3261 17.1.2.2: "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the transport layer for retransmission, and Timer E MUST be reset with a value of T2 seconds."
        this.#send();
        this.#armTimerE(t2Ms);
      }
    });
  }

  receiveResponse(response: SipResponse): void {
    if (this.#state !== "trying" && this.#state !== "proceeding") return;
    if (response.status < 200) {
      // RFC 3261 17.1.2.2: "If a provisional response is received while in the "Trying" state, the response MUST be passed to the TU, and then the client transaction SHOULD move to the "Proceeding" state."
      if (this.#state === "trying") this.#transition("proceeding");
      this.#user.onResponse(response);
      return;
    }
    // RFC 3261 17.1.2.2: "If a final response (status codes 200-699) is received while in the "Trying" state [or "Proceeding"], the response MUST be passed to the TU, and the client transaction MUST transition to the "Completed" state."
    this.#transition("completed");
    this.#timerE?.cancel();
    this.#timerF?.cancel();
    this.#user.onResponse(response);
    // RFC 3261 17.1.2.2: "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for reliable transports."
    this.#timerK = this.#ctx.clock.setTimer(this.#reliable ? 0 : this.#ctx.timers.t4Ms, () =>
      this.#terminate(),
    );
  }

  terminate(): void {
    this.#terminate();
  }

  #send(): void {
    transmit(
      this.#ctx,
      this.#data,
      this.destination,
      this.#flowId,
      (error) => {
        if (this.#state === "terminated") return;
        const pending = this.#state === "trying" || this.#state === "proceeding";
        // RFC 3261 17.1.4: inform the TU of the transport failure and go to "Terminated".
        this.#terminate();
        if (pending)
          this.#user.onFailure({ reason: "transport", response: createResponse(this.request, 503), error });
      },
      (flowId) => {
        this.#flowId = flowId;
      },
    );
  }

  #transition(to: NonInviteClientState): void {
    this.#state = checkedTransition(transitions, this.#state, to, this.#ctx.logger, this.kind);
  }

  #terminate(): void {
    if (this.#state === "terminated") return;
    this.#transition("terminated");
    this.#timerE?.cancel();
    this.#timerF?.cancel();
    this.#timerK?.cancel();
    this.#ctx.onTerminated(this.key);
  }
}
