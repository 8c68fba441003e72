import type { Timer } from "../../shared/index.js";
import { RingagentError, randomToken } from "../../shared/index.js";
import { Dialog, initialCSeq } from "../dialog/dialog.js";
import { getCSeq } from "../message/message-accessors.js";
import { createCancel, createRequest, type ExtraHeaders } from "../message/message-builders.js";
import { parseNameAddr, withTag } from "../message/name-addr.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { ClientTransaction } from "../transaction/transaction-layer.js";
import { isReliable } from "../transport/transport-types.js";
import { bodyOf, sendWithAuth } from "./request-sender.js";
import { SipSession } from "./sip-session.js";
import { sendOptions } from "./ua-addressing.js";
import type { UaCore } from "./ua-core.js";
import {
  allowHeaderValue,
  type BodyInput,
  CallFailedError,
  type CallFailureReason,
  callFailureReason,
  type SessionBody,
  toSessionBody,
} from "./ua-types.js";

export interface InviteProgress {
  readonly status: number;
  readonly reason: string;
  /** 183 Session Progress with SDP: early media. */
  readonly body: SessionBody | undefined;
}

export interface InviteOptions {
  /** Our offer (SDP); omitted = late offer is not supported for outbound calls, so send one. */
  readonly body: BodyInput;
  readonly headers?: ExtraHeaders;
  /** Aborting CANCELs the INVITE (RFC 3261 9.1); the call fails with reason "cancelled". */
  readonly signal?: AbortSignal;
  /** CANCEL after this long without a final answer; the call fails with reason "no_answer". */
  readonly noAnswerTimeoutMs?: number;
  readonly onProgress?: (progress: InviteProgress) => void;
}

/**
 * An outbound INVITE (RFC 3261 13.2): digest retry on 401/407, provisional responses (183 early
 * media) reported, CANCEL on abort/no-answer (sent only after a provisional, 9.1), the ACK for the
 * 2xx sent by us (13.2.2.4) and re-sent for 2xx retransmissions. Resolves with the established
 * session; rejects with CallFailedError (busy, no_answer, rejected, timeout, cancelled...).
 */
export function connectInvite(core: UaCore, targetText: string, options: InviteOptions): Promise<SipSession> {
  return new Promise<SipSession>((resolve, reject) => {
    const to = parseNameAddr(targetText);
    const target = to === undefined ? undefined : core.outOfDialogTarget(to.uri);
    if (to === undefined || target === undefined) {
      reject(new RingagentError("sip_bad_target", "the call target is not a SIP URI"));
      return;
    }
    const offer = toSessionBody(options.body);
    const callId = randomToken(16);
    const fromTag = randomToken(6);
    let cseq = initialCSeq();
    let current: { request: SipRequest; tx: ClientTransaction } | undefined;
    let provisionalSeen = false;
    let cancelReason: CallFailureReason | undefined;
    let cancelSent = false;
    let noAnswerTimer: Timer | undefined;
    let cancelGuard: Timer | undefined;
    let settled = false;

    const sendCancel = (): void => {
      if (cancelSent || current === undefined) return;
      cancelSent = true;
      const cancel = createCancel(current.request, { headers: core.commonHeaders });
      core.transactions.sendRequest(
        cancel,
        target.destination,
        { onResponse: () => undefined, onFailure: () => undefined },
        sendOptions(target) ?? {},
      );
      // RFC 3261 9.1: if no final response arrives 64*T1 after the CANCEL, give up on the INVITE.
      cancelGuard = core.clock.setTimer(64 * core.transactions.timers.t1Ms, () => {
        current?.tx.terminate();
        fail(cancelReason ?? "cancelled", 487);
      });
    };
    const requestCancel = (reason: CallFailureReason): void => {
      if (settled || cancelReason !== undefined) return;
      cancelReason = reason;
      // RFC 3261 9.1: "If no provisional response has been received, the CANCEL request MUST NOT be sent".
      if (provisionalSeen) sendCancel();
    };
    const onAbort = (): void => requestCancel("cancelled");
    const cleanup = (): void => {
      settled = true;
      noAnswerTimer?.cancel();
      cancelGuard?.cancel();
      options.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (reason: CallFailureReason, status: number): void => {
      if (settled) return;
      cleanup();
      reject(new CallFailedError(reason, status));
    };
    if (options.signal?.aborted) {
      reject(new CallFailedError("cancelled", 487));
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.noAnswerTimeoutMs !== undefined) {
      noAnswerTimer = core.clock.setTimer(options.noAnswerTimeoutMs, () => requestCancel("no_answer"));
    }

    const build = (auth: { name: string; value: string } | undefined): SipRequest =>
      createRequest({
        method: "INVITE",
        uri: to.uri,
        via: core.via(target),
        from: withTag(core.localIdentity, fromTag),
        to: { ...to, params: to.params.filter((p) => p.name.toLowerCase() !== "tag") },
        callId,
        cseq: cseq++,
        contact: core.contact(target),
        headers: [
          ["Allow", allowHeaderValue],
          ...(options.headers ?? []),
          ...(auth === undefined ? [] : [[auth.name, auth.value] as const]),
          ...core.commonHeaders,
        ],
        body: offer.body,
        contentType: offer.contentType,
      });

    let ack: SipRequest | undefined;
    const resendAck = (): void => {
      if (ack !== undefined)
        void core.transactions.sendStateless(ack, target.destination, sendOptions(target));
    };

    const established = (request: SipRequest, response: SipResponse, tx: ClientTransaction): void => {
      const dialog = Dialog.asUac(request, response);
      if (dialog === undefined) {
        fail("rejected", 502);
        return;
      }
      const flowId = tx.flowId ?? target.flowId;
      const ackTarget = { destination: target.destination, flowId };
      // RFC 3261 13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received".
      ack = dialog.createAck(getCSeq(request)?.seq ?? 0, { via: core.via(ackTarget) });
      resendAck();
      const session = new SipSession({
        core,
        direction: "outbound",
        dialog,
        flowId,
        localBody: offer,
        answerResponse: response,
        ...(bodyOf(response) === undefined ? {} : { remoteBody: bodyOf(response) as SessionBody }),
        reliable: isReliable(target.destination.protocol),
      });
      core.dialogs.add(dialog, session);
      if (cancelReason !== undefined) {
        // The 2xx crossed our CANCEL (RFC 3261 9.1): the call is up, so hang it up.
        void session.bye();
        fail(cancelReason, 487);
        return;
      }
      cleanup();
      resolve(session);
    };

    sendWithAuth(core.transactions, build, target, {
      digest: core.digest,
      onSent: (request, tx) => {
        current = { request, tx };
        cancelSent = false;
        provisionalSeen = false;
      },
      onProvisional: (response) => {
        if (response.status > 100)
          options.onProgress?.({ status: response.status, reason: response.reason, body: bodyOf(response) });
        provisionalSeen = true;
        if (cancelReason !== undefined) sendCancel();
      },
      onLater2xx: resendAck,
    }).then(
      ({ request, response, transaction, local }) => {
        if (response.status >= 200 && response.status < 300) {
          if (!settled) established(request, response, transaction);
          return;
        }
        if (local === "timeout") fail(cancelReason ?? "timeout", 408);
        else if (local === "transport") fail("transport", 503);
        else if (cancelReason !== undefined && response.status === 487) fail(cancelReason, 487);
        else fail(callFailureReason(response.status), response.status);
      },
      (error: unknown) => {
        core.log.warn({ err: error }, "INVITE send failed");
        fail("transport", 503);
      },
    );
  });
}
