import { sleep } from "../../shared/index.js";
import { glareRetryDelayMs } from "../dialog/glare-timer.js";
import { getCSeq } from "../message/message-accessors.js";
import type { ExtraHeaders } from "../message/message-builders.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { ServerTransaction } from "../transaction/transaction-layer.js";
import { bodyOf, sendWithAuth } from "./request-sender.js";
import type { SessionResponseOptions, SipSession } from "./sip-session.js";
import { sendOptions } from "./ua-addressing.js";
import {
  type BodyInput,
  type IncomingOffer,
  type SessionBody,
  SipRequestError,
  toSessionBody,
} from "./ua-types.js";

/** Attempts of one re-INVITE/UPDATE before giving up on repeated 491 (glare). */
const maxGlareAttempts = 4;

/**
 * A re-INVITE or UPDATE from the peer (RFC 3261 14.2, RFC 3311 5.2): target refresh, then the offer
 * goes to the `reinvite` listeners (or, with none, is answered with our last body).
 */
export function receiveOffer(session: SipSession, request: SipRequest, tx: ServerTransaction): void {
  const method = request.method === "INVITE" ? "INVITE" : "UPDATE";
  if (session.state === "ended") {
    tx.respond(session.response(request, 481));
    return;
  }
  if (session.incomingOfferPending) {
    // RFC 3261 14.2: "A UAS that receives a second INVITE before it sends the final response to a
    // first INVITE with a lower CSeq sequence number on the same dialog MUST return a 500 ... with a
    // Retry-After header field with a randomly chosen value of between 0 and 10 seconds."
    const retryAfterS = Math.floor(Math.random() * 11);
    tx.respond(session.response(request, 500, undefined, [["Retry-After", String(retryAfterS)]]));
    return;
  }
  if (session.outgoingOfferPending) {
    // RFC 3261 14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that
    // dialog is in progress MUST return a 491 (Request Pending) response". RFC 3311 5.2 likewise for UPDATE.
    tx.respond(session.response(request, 491));
    return;
  }
  // RFC 3261 12.2: re-INVITE and UPDATE are target refresh requests.
  session.dialog.refreshTarget(request);
  const offer = bodyOf(request);
  if (offer !== undefined) session.remoteBody = offer;
  session.incomingOfferPending = true;
  let answered = false;
  const incoming: IncomingOffer = {
    method,
    offer,
    headers: request.headers,
    accept(answer: BodyInput, options: SessionResponseOptions = {}): void {
      if (answered) return;
      answered = true;
      session.incomingOfferPending = false;
      const body = toSessionBody(answer);
      session.localBody = body;
      const ok = session.response(request, 200, body, options.headers ?? []);
      tx.respond(ok);
      if (method === "INVITE") session.expectAck(getCSeq(request)?.seq ?? 0, () => tx.respond(ok));
    },
    reject(status = 488, options: SessionResponseOptions = {}): void {
      if (answered) return;
      answered = true;
      session.incomingOfferPending = false;
      tx.respond(session.response(request, status, undefined, options.headers ?? []));
    },
  };
  if (session.listenerCount("reinvite") > 0) session.emit("reinvite", incoming);
  else if (session.localBody !== undefined) incoming.accept(session.localBody);
  else incoming.reject(488);
}

/**
 * Sends a re-INVITE or UPDATE with `offer` and resolves with the answer. On 491 it retries after the
 * RFC 3261 14.1 glare timer; 481/408 end the dialog (12.2.1.2); other failures reject with
 * SipRequestError (the session stays up with its previous media, RFC 3261 14.1).
 */
export async function sendOffer(
  session: SipSession,
  method: "INVITE" | "UPDATE",
  offer: SessionBody,
  extra: ExtraHeaders = [],
): Promise<SessionBody | undefined> {
  const ended = (): boolean => session.state === "ended";
  if (session.state !== "established" && session.state !== "answered") throw new SipRequestError(method, 481);
  if (session.outgoingOfferPending || session.incomingOfferPending) throw new SipRequestError(method, 491);
  const core = session.core;
  for (let attempt = 1; ; attempt++) {
    const target = core.inDialogTarget(session.dialog, session.flowId);
    if (target === undefined) throw new SipRequestError(method, 503);
    session.outgoingOfferPending = true;
    let ack: SipRequest | undefined;
    let result: { request: SipRequest; response: SipResponse };
    try {
      result = await sendWithAuth(
        core.transactions,
        (auth) =>
          session.dialog.createRequest(method, {
            via: core.via(target),
            contact: core.contact(target),
            headers: [
              ...extra,
              ...(auth === undefined ? [] : [[auth.name, auth.value] as const]),
              ...core.commonHeaders,
            ],
            body: offer.body,
            contentType: offer.contentType,
          }),
        target,
        {
          digest: core.digest,
          onLater2xx: () => {
            if (ack !== undefined)
              void core.transactions.sendStateless(ack, target.destination, sendOptions(target));
          },
        },
      );
    } finally {
      session.outgoingOfferPending = false;
    }
    const { request, response } = result;
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (method === "INVITE") {
        // RFC 3261 13.2.2.4: the UAC core generates the ACK for a 2xx (same CSeq number, dialog route set).
        ack = session.dialog.createAck(getCSeq(request)?.seq ?? 0, { via: core.via(target) });
        void core.transactions.sendStateless(ack, target.destination, sendOptions(target));
      }
      session.dialog.refreshTarget(response);
      session.localBody = offer;
      const answer = bodyOf(response);
      if (answer !== undefined) session.remoteBody = answer;
      return answer;
    }
    if (status === 491 && attempt < maxGlareAttempts && !ended()) {
      await sleep(core.clock, glareRetryDelayMs(session.direction === "outbound"));
      continue;
    }
    if (status === 481 || status === 408) session.end({ kind: "dialog_gone", status });
    throw new SipRequestError(method, status);
  }
}
