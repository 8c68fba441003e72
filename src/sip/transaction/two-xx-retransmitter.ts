import type { Clock, Timer } from "../../shared/index.js";
import type { TransactionTimers } from "./transaction-types.js";
import { defaultTransactionTimers } from "./transaction-types.js";

export interface TwoXxRetransmitter {
  /** The ACK arrived: stop retransmitting (RFC 3261 13.3.1.4). Idempotent. */
  ackReceived(): void;
  /** Stop without an ACK (e.g. the call was torn down). Idempotent. */
  stop(): void;
}

/**
 * The UAS core's 2xx retransmission (RFC 3261 13.3.1.4): "the 2xx response is passed to the
 * transport with an interval that starts at T1 seconds and doubles for each retransmission until it
 * reaches T2 seconds ... Retransmissions end when an ACK request for the response is received ...
 * If the server retransmits the 2xx response for 64*T1 seconds without receiving an ACK, the dialog
 * is confirmed, but the session SHOULD be terminated." `retransmit` is called for each resend (only
 * needed on unreliable transports); `onTimeout` when 64*T1 passes without ACK.
 */
export function startTwoXxRetransmission(options: {
  clock: Clock;
  retransmit: () => void;
  onTimeout: () => void;
  timers?: TransactionTimers;
  /** On reliable transports nothing is retransmitted, but the 64*T1 ACK wait still applies. */
  reliable?: boolean;
}): TwoXxRetransmitter {
  const { t1Ms, t2Ms } = options.timers ?? defaultTransactionTimers;
  let done = false;
  let retransmitTimer: Timer | undefined;
  const arm = (intervalMs: number): void => {
    retransmitTimer = options.clock.setTimer(intervalMs, () => {
      if (done) return;
      options.retransmit();
      arm(Math.min(2 * intervalMs, t2Ms));
    });
  };
  if (options.reliable !== true) arm(t1Ms);
  const giveUp = options.clock.setTimer(64 * t1Ms, () => {
    if (done) return;
    done = true;
    retransmitTimer?.cancel();
    options.onTimeout();
  });
  const stop = (): void => {
    done = true;
    retransmitTimer?.cancel();
    giveUp.cancel();
  };
  return { ackReceived: stop, stop };
}
