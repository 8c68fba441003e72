import type { Timer } from "../../shared/index.js";
import { formatNameAddr, parseNameAddr } from "../message/name-addr.js";
import type { SipRequest } from "../message/sip-message.js";
import type { SipSession } from "./sip-session.js";
import { sipfragStatus } from "./sipfrag.js";
import {
  SipRequestError,
  type TransferProgress,
  type TransferResult,
  type TransferState,
} from "./ua-types.js";

/** Follows the implicit subscription of one REFER (RFC 3515 2.4.4-2.4.6). */
export interface ReferWaiter {
  /** A NOTIFY in the dialog; true when it belonged to this REFER. */
  onNotify(request: SipRequest): boolean;
  sessionEnded(): void;
}

export const defaultReferTimeoutMs = 60_000;

function progressState(status: number): TransferState {
  if (status >= 300) return "failure";
  if (status >= 200) return "success";
  if (status === 100) return "trying";
  if (status === 180 || status === 183) return "ringing";
  return "progress";
}

/**
 * Blind transfer: REFER with Refer-To (RFC 3515 2.1) and Referred-By (RFC 3892), then NOTIFYs with
 * message/sipfrag bodies report the new call's progress; the first final status (or the
 * subscription ending) settles the result. Never rejects: failures are results with their status.
 */
export function sendRefer(
  session: SipSession,
  target: string,
  options: { timeoutMs?: number; signal?: AbortSignal },
): Promise<TransferResult> {
  return new Promise<TransferResult>((resolve) => {
    const referTo = parseNameAddr(target);
    if (referTo === undefined) {
      resolve({ outcome: "failure", status: 400 });
      return;
    }
    if (session.referWaiter !== undefined) {
      resolve({ outcome: "failure", status: 491 });
      return;
    }
    let settled = false;
    let timer: Timer | undefined;
    const finish = (result: TransferResult): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      options.signal?.removeEventListener("abort", onAbort);
      if (session.referWaiter === waiter) session.referWaiter = undefined;
      resolve(result);
    };
    const report = (status: number): void => {
      const progress: TransferProgress = { state: progressState(status), status };
      session.emit("transferProgress", progress);
      if (status >= 200) finish({ outcome: status < 300 ? "success" : "failure", status });
    };
    const waiter: ReferWaiter = {
      onNotify(request) {
        const event = request.headers.get("Event");
        // RFC 3515 2.4.4: the NOTIFY's Event is "refer" (an id parameter may follow).
        if (event === undefined || event.split(";")[0]?.trim().toLowerCase() !== "refer") return false;
        const status = request.body.length > 0 ? sipfragStatus(request.body) : undefined;
        if (status !== undefined) report(status);
        const subState = request.headers.get("Subscription-State") ?? "";
        if (!settled && subState.split(";")[0]?.trim().toLowerCase() === "terminated") {
          finish({ outcome: "failure", status: status ?? 487 });
        }
        return true;
      },
      sessionEnded() {
        // RFC 3515 2.4.7: the transferee usually hangs up after a successful transfer; a session
        // ending before a final NOTIFY leaves the outcome unknown.
        finish({ outcome: "failure", status: 487 });
      },
    };
    const onAbort = (): void => finish({ outcome: "failure", status: 487 });
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    session.referWaiter = waiter;
    timer = session.core.clock.setTimer(options.timeoutMs ?? defaultReferTimeoutMs, () =>
      finish({ outcome: "failure", status: 408 }),
    );
    const local = session.core.localIdentity;
    session
      .sendInDialog("REFER", undefined, [
        ["Refer-To", formatNameAddr(referTo)],
        ["Referred-By", formatNameAddr({ uri: local.uri, params: [] })],
      ])
      .then(
        (response) => {
          // 202 Accepted (RFC 3515 2.4.2): progress follows in NOTIFYs.
          if (response.status !== 202 && response.status !== 200) report(response.status);
        },
        (error: unknown) => {
          const status = error instanceof SipRequestError ? error.status : 500;
          session.emit("transferProgress", { state: "failure", status });
          finish({ outcome: "failure", status });
        },
      );
  });
}
