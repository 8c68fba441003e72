/**
 * Placing a call: our offer from media, INVITE with a ring timeout, early media from a 183 answer,
 * the final answer applied on 2xx, and a typed outcome (answered, busy, no answer, rejected, failed).
 */
import { describeError } from "../shared/index.js";
import { Call, statusOf } from "./call.js";
import type { CallManager, LineRuntime } from "./call-manager.js";
import { CallSdp } from "./call-sdp.js";
import type { CallMediaSession } from "./media-port.js";
import { isSdp, type OutgoingInviteResult } from "./signaling-port.js";

export interface OutboundOptions {
  /** Give up (CANCEL) when nobody answers within this (default 60 s). */
  readonly ringTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Ask the peer for RFC 4028 session timers with this interval. */
  readonly sessionExpiresS?: number;
}

export const defaultRingTimeoutMs = 60_000;

export type OutboundOutcome =
  | { readonly kind: "answered"; readonly call: Call; readonly earlyMedia: boolean; readonly setupMs: number }
  /** 486 Busy Here / 600 Busy Everywhere. */
  | { readonly kind: "busy"; readonly status: number }
  /** Our ring timeout, 480 Temporarily Unavailable or 408. */
  | { readonly kind: "no_answer"; readonly status: number }
  /** Any other final failure from the peer (403, 404, 603...). */
  | { readonly kind: "rejected"; readonly status: number }
  /** Nothing usable came back: transport error, unusable SDP, no media ports. */
  | { readonly kind: "failed"; readonly status: number; readonly detail: string };

export function outcomeForStatus(status: number, timedOut: boolean): OutboundOutcome {
  if (timedOut || status === 480 || status === 408) return { kind: "no_answer", status };
  if (status === 486 || status === 600) return { kind: "busy", status };
  if (status >= 400 && status < 700) return { kind: "rejected", status };
  return { kind: "failed", status, detail: `final status ${status}` };
}

export async function placeCall(
  manager: CallManager,
  runtime: LineRuntime,
  target: string,
  options: OutboundOptions,
): Promise<OutboundOutcome> {
  const startedMs = manager.clock.nowMs();
  let media: CallMediaSession | undefined;
  try {
    media = await manager.media.open();
  } catch (error) {
    return { kind: "failed", status: 0, detail: `no media session: ${describeError(error)}` };
  }
  const sdp = new CallSdp({
    codecs: runtime.policy.codecs,
    srtpPolicy: runtime.policy.srtp,
    address: manager.media.localAddress,
    port: media.localPort,
  });
  const offer = sdp.offer();
  const ringTimeout = new AbortController();
  const timer = manager.clock.setTimer(options.ringTimeoutMs ?? defaultRingTimeoutMs, () =>
    ringTimeout.abort(),
  );
  const signal = options.signal ? AbortSignal.any([options.signal, ringTimeout.signal]) : ringTimeout.signal;
  let earlyMedia = false;
  const openMedia = media;
  let result: OutgoingInviteResult;
  try {
    const sessionExpiresS = options.sessionExpiresS ?? manager.sessionExpiresS;
    result = await runtime.line.invite(target, offer, {
      signal,
      ...(sessionExpiresS !== undefined ? { sessionExpiresS } : {}),
      onProgress: (progress) => {
        // RFC 3261 13.2.1 / RFC 3960: a 183 with SDP gives early media; play it while ringing.
        if (earlyMedia || !isSdp(progress.body)) return;
        const outcome = sdp.processAnswer(progress.body.body.toString("utf8"));
        if (outcome.ok) {
          try {
            openMedia.configure(outcome.negotiated);
            earlyMedia = true;
          } catch {
            // No early media then; the final answer configures the session.
          }
        }
      },
    });
  } catch (error) {
    timer.cancel();
    media.close();
    const status = statusOf(error);
    return outcomeForStatus(status, ringTimeout.signal.aborted);
  }
  timer.cancel();
  const call = new Call({
    id: manager.newCallId(),
    direction: "outbound",
    lineName: runtime.line.name,
    signaling: result.session,
    media,
    sdp,
    clock: manager.clock,
    logger: manager.logger,
    mediaTimeoutMs: manager.mediaTimeoutMs,
    pipelineRateHz: manager.pipelineRateHz,
    onReleased: (c) => manager.released(runtime, c),
  });
  media = undefined;
  manager.register(runtime, call);
  const answer = result.answer;
  const outcome = isSdp(answer) ? sdp.processAnswer(answer.body.toString("utf8")) : undefined;
  if (!outcome?.ok) {
    // RFC 3261 13.2.2.4: the UAC "MUST ... ACK" the 2xx; if the answer is unacceptable it "MUST then
    // send a BYE". The adapter has ACKed; we hang up.
    const detail = outcome ? outcome.reason : "2xx without SDP";
    await call.hangupWithError("bad_answer", detail);
    return { kind: "failed", status: 200, detail };
  }
  try {
    call.media.configure(outcome.negotiated);
  } catch (error) {
    await call.hangupWithError("media_configure_failed", describeError(error));
    return { kind: "failed", status: 200, detail: "media could not start" };
  }
  call.markActive(result.sessionTimer ? { answer: result.sessionTimer, weAre: "uac" } : undefined);
  return { kind: "answered", call, earlyMedia, setupMs: manager.clock.nowMs() - startedMs };
}
