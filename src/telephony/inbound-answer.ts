/**
 * Answering an incoming INVITE: admission (lists, busy), duplicate protection, offer/answer through
 * media (488 + Warning when media rejects the offer), the line's answer delay, 200 OK, and media
 * started on ACK (RFC 3261 13.3.1.4). Every exit path releases what it opened.
 */
import { describeError, sleep } from "../shared/index.js";
import { Call } from "./call.js";
import { admitCall } from "./call-admission.js";
import type { CallManager, LineRuntime } from "./call-manager.js";
import { CallSdp } from "./call-sdp.js";
import type { CallMediaSession } from "./media-port.js";
import { answerSessionTimer, type SessionTimerAnswer } from "./session-timer.js";
import { type IncomingSignaling, isSdp } from "./signaling-port.js";

export async function answerInbound(
  manager: CallManager,
  runtime: LineRuntime,
  incoming: IncomingSignaling,
): Promise<void> {
  const { policy } = runtime;
  const key = `${incoming.callId}\n${incoming.fromTag}`;
  if (runtime.inProgress.has(key)) {
    // RFC 3261 8.2.2.2: "If the request has no tag in the To header field ... and the From tag,
    // Call-ID, and CSeq exactly match those associated with an ongoing transaction, but the request
    // does not match that transaction ... the UAS core SHOULD generate a 482 (Loop Detected)".
    manager.counters.duplicates++;
    incoming.reject(482);
    return;
  }
  const decision = admitCall({
    rules: policy.callers,
    callerUser: incoming.remoteUser,
    callerUri: incoming.remoteUri,
    activeCalls: runtime.calls.size + runtime.opening,
    maxConcurrentCalls: policy.maxConcurrentCalls,
  });
  if (!decision.admit) {
    manager.counters.declined++;
    if (decision.reason === "busy") manager.counters.busy++;
    manager.logger.info(
      { line: runtime.line.name, status: decision.status, reason: decision.reason },
      "call declined",
    );
    incoming.reject(decision.status);
    return;
  }

  let sessionTimer: SessionTimerAnswer | undefined;
  if (incoming.sessionTimer) {
    const st = answerSessionTimer(incoming.sessionTimer);
    if (!st.ok) {
      manager.counters.intervalTooSmall++;
      // RFC 4028 6: "the UAS MUST reject the request with a 422 ... [with] a Min-SE header field".
      incoming.reject(422, undefined, { minSeS: st.minSeS });
      return;
    }
    sessionTimer = st.answer;
  }

  runtime.inProgress.add(key);
  runtime.opening++;
  let opening = true;
  let media: CallMediaSession | undefined;
  try {
    try {
      media = await manager.media.open();
    } catch (error) {
      manager.counters.mediaUnavailable++;
      manager.logger.warn({ error: describeError(error) }, "no media session for an incoming call");
      // RFC 3261 21.5.4 503: the server is temporarily unable to handle the request.
      incoming.reject(503);
      return;
    }
    const sdp = new CallSdp({
      codecs: policy.codecs,
      srtpPolicy: policy.srtp,
      address: manager.media.localAddress,
      port: media.localPort,
    });
    let ourSdp: string;
    const lateOffer = !isSdp(incoming.offer);
    if (isSdp(incoming.offer)) {
      const outcome = sdp.answer(incoming.offer.body.toString("utf8"));
      if (!outcome.ok) {
        manager.counters.mediaRejected++;
        // RFC 3261 13.3.1.3 / 21.4.26: 488 Not Acceptable Here, with a Warning saying why (20.43).
        incoming.reject(488, { code: outcome.warningCode, text: outcome.reason });
        media.close();
        return;
      }
      ourSdp = outcome.sdp;
    } else {
      // RFC 3261 13.2.1: an INVITE without an offer; our 2xx carries the offer, the ACK the answer.
      ourSdp = sdp.offer();
    }

    const call = new Call({
      id: manager.newCallId(),
      direction: "inbound",
      lineName: runtime.line.name,
      signaling: incoming,
      media,
      sdp,
      clock: manager.clock,
      logger: manager.logger,
      mediaTimeoutMs: manager.mediaTimeoutMs,
      pipelineRateHz: manager.pipelineRateHz,
      onReleased: (c) => manager.released(runtime, c),
    });
    media = undefined; // owned by the call from here on
    runtime.opening--;
    opening = false;
    manager.register(runtime, call);

    incoming.ring();
    if (policy.answerDelayMs > 0) await sleep(manager.clock, policy.answerDelayMs);
    if (call.state !== "ringing") {
      manager.counters.abandoned++;
      return; // the caller cancelled while we waited
    }
    call.markAnswering();
    let ackBody: Awaited<ReturnType<IncomingSignaling["accept"]>>;
    try {
      ackBody = await incoming.accept(ourSdp, sessionTimer ? { sessionTimer } : {});
    } catch (error) {
      manager.counters.abandoned++;
      call.finish(call.endReason ?? { kind: "error", code: "ack_timeout", detail: describeError(error) });
      return;
    }
    if (stateOf(call) !== "answering") return;
    if (lateOffer) {
      const outcome = isSdp(ackBody) ? sdp.processAnswer(ackBody.body.toString("utf8")) : undefined;
      if (!outcome?.ok) {
        // RFC 3261 13.3.1.4 / 3264: an ACK without a usable answer: the session cannot start.
        await call.hangupWithError("bad_ack_answer", "the ACK carried no usable answer");
        return;
      }
    }
    const negotiated = sdp.negotiated;
    try {
      if (negotiated) call.media.configure(negotiated);
    } catch (error) {
      await call.hangupWithError("media_configure_failed", describeError(error));
      return;
    }
    manager.counters.answered++;
    call.markActive(sessionTimer ? { answer: sessionTimer, weAre: "uas" } : undefined);
    manager.runHandler(runtime, call);
  } finally {
    if (opening) runtime.opening--;
    runtime.inProgress.delete(key);
    media?.close();
  }
}

/** Reads the state afresh (after an await, TypeScript's narrowing of `call.state` is stale). */
function stateOf(call: Call): Call["state"] {
  return call.state;
}
