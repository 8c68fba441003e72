/**
 * In-memory SIP for telephony tests: a line whose incoming INVITEs the test creates, and sessions
 * that record what the call did (ring, 200, reject, BYE, re-INVITE, INFO, REFER) and let the test
 * play the peer (ACK, BYE, CANCEL, re-INVITE, INFO). Peer SDP is real SDP built by media's model.
 */
import {
  answerOffer,
  createLocalOrigin,
  createOffer,
  type MediaCapabilities,
  parseSdp,
  type SdpDirection,
  serializeSdp,
} from "../../media/index.js";
import { randomToken } from "../../shared/index.js";
import type { SessionTimerAnswer, SessionTimerRequest } from "../session-timer.js";
import {
  type IncomingSignaling,
  type InDialogOffer,
  type InviteOptions,
  type OutgoingInviteResult,
  type ReferOptions,
  type RejectDetails,
  type SignalingBody,
  type SignalingEnd,
  type SignalingHandlers,
  type SignalingLine,
  type SignalingSession,
  type SipWarning,
  sdpBody,
  type TransferProgress,
  type TransferResult,
} from "../signaling-port.js";

/** An SDP offer as a peer (baresip-like) would send it. */
export function peerOffer(
  options: { direction?: SdpDirection; codecs?: string[]; srtp?: "off" | "mandatory"; port?: number } = {},
): string {
  const caps: MediaCapabilities = {
    codecs: options.codecs ?? ["PCMU/8000", "PCMA/8000"],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80"],
    srtpPolicy: options.srtp ?? "off",
    address: "127.0.0.2",
    port: options.port ?? 30_000,
    ptimeMs: 20,
    rtcpMux: false,
    generateKeyParams: () => "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
  };
  const offer = createOffer({
    capabilities: caps,
    origin: createLocalOrigin("4242", "127.0.0.2"),
    ...(options.direction ? { direction: options.direction } : {}),
  });
  return serializeSdp(offer);
}

function peerCaps(srtp: "off" | "mandatory" | "optional" = "optional"): MediaCapabilities {
  return {
    codecs: ["PCMU/8000", "PCMA/8000"],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80"],
    srtpPolicy: srtp,
    address: "127.0.0.2",
    port: 30_002,
    ptimeMs: 20,
    rtcpMux: false,
    generateKeyParams: () => "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
  };
}

/** The peer's answer to our offer (throws when the peer could not accept it: a test bug). */
export function peerAnswer(offerText: string, direction: SdpDirection = "sendrecv"): string {
  const parsed = parseSdp(offerText);
  if (!parsed.ok) throw new Error(`our offer does not parse: ${parsed.error}`);
  const result = answerOffer({
    offer: parsed.sdp,
    capabilities: peerCaps(),
    origin: createLocalOrigin("4343", "127.0.0.2"),
    wantedDirection: direction,
  });
  if (!result.ok) throw new Error(`peer rejects our offer: ${result.reason}`);
  return serializeSdp(result.answer);
}

export class SipStatusError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`SIP ${status}`);
    this.status = status;
  }
}

export interface RecordedReoffer {
  readonly sdp: string;
  readonly method: "INVITE" | "UPDATE";
}

export class FakeSession implements SignalingSession {
  readonly callId: string;
  readonly remoteUri: string;
  readonly remoteUser: string | undefined;
  handlers: SignalingHandlers | undefined;
  readonly reoffers: RecordedReoffer[] = [];
  readonly infos: SignalingBody[] = [];
  readonly refers: { target: string; replaces: SignalingSession | undefined }[] = [];
  byeCount = 0;
  /** How the peer answers our re-INVITEs (default: mirror with sendrecv). */
  answerReoffer: (offer: string) => Promise<SignalingBody | undefined> = async (offer) =>
    sdpBody(peerAnswer(offer));
  /** How the peer handles our REFER: progress to report, then the final result. */
  referScript: { progress: TransferProgress[]; result: TransferResult } = {
    progress: [
      { state: "trying", status: 100 },
      { state: "success", status: 200 },
    ],
    result: { outcome: "success", status: 200 },
  };

  constructor(user: string | undefined = "1001") {
    this.callId = randomToken(8);
    this.remoteUser = user;
    this.remoteUri = `sip:${user ?? "anonymous"}@127.0.0.2`;
  }

  setHandlers(handlers: SignalingHandlers): void {
    this.handlers = handlers;
  }

  async reoffer(sdp: string, method: "INVITE" | "UPDATE" = "INVITE"): Promise<SignalingBody | undefined> {
    this.reoffers.push({ sdp, method });
    return this.answerReoffer(sdp);
  }

  async sendInfo(body: SignalingBody): Promise<void> {
    this.infos.push(body);
  }

  async refer(target: string, options: ReferOptions = {}): Promise<TransferResult> {
    this.refers.push({ target, replaces: options.replaces });
    for (const p of this.referScript.progress) options.onProgress?.(p);
    return this.referScript.result;
  }

  async bye(): Promise<void> {
    this.byeCount++;
  }

  // --- the peer's side ---
  peerEnds(end: SignalingEnd = { kind: "remote_bye" }): void {
    this.handlers?.ended(end);
  }

  /** The peer sends a re-INVITE; resolves with our response. */
  peerReoffer(sdp: string | undefined): Promise<{ status: number; sdp?: string; warning?: SipWarning }> {
    return new Promise((resolve) => {
      const offer: InDialogOffer = {
        method: "INVITE",
        offer: sdp === undefined ? undefined : sdpBody(sdp),
        accept: (answer) => resolve({ status: 200, sdp: answer }),
        reject: (status, warning) => resolve({ status, ...(warning ? { warning } : {}) }),
      };
      this.handlers?.offer(offer);
    });
  }

  /** The peer's ACK to our 200 for its offerless re-INVITE carries its answer. */
  peerAckAnswer(sdp: string): void {
    this.handlers?.ackAnswer?.(sdpBody(sdp));
  }

  peerInfo(contentType: string, text: string): void {
    this.handlers?.info({ method: "INFO", body: { contentType, body: Buffer.from(text, "utf8") } });
  }
}

export class FakeIncoming extends FakeSession implements IncomingSignaling {
  readonly fromTag: string;
  readonly cseq: number;
  readonly offer: SignalingBody | undefined;
  readonly sessionTimer: SessionTimerRequest | undefined;
  rang = 0;
  accepted: { sdp: string; sessionTimer: SessionTimerAnswer | undefined } | undefined;
  rejected:
    | { status: number; warning: SipWarning | undefined; details: RejectDetails | undefined }
    | undefined;
  #ack: ((body: SignalingBody | undefined) => void) | undefined;
  #ackFail: ((error: Error) => void) | undefined;
  /** Resolves when the UAS sent its final response. */
  readonly responded: Promise<void>;
  #responded!: () => void;

  constructor(
    options: {
      offer?: string | undefined;
      user?: string;
      callId?: string;
      fromTag?: string;
      sessionTimer?: SessionTimerRequest;
    } = {},
  ) {
    super(options.user ?? "1001");
    if (options.callId) Object.defineProperty(this, "callId", { value: options.callId });
    this.fromTag = options.fromTag ?? randomToken(4);
    this.cseq = 1;
    this.offer = options.offer === undefined ? undefined : sdpBody(options.offer);
    this.sessionTimer = options.sessionTimer;
    this.responded = new Promise((resolve) => {
      this.#responded = resolve;
    });
  }

  ring(): void {
    this.rang++;
  }

  accept(
    sdp: string,
    options: { sessionTimer?: SessionTimerAnswer } = {},
  ): Promise<SignalingBody | undefined> {
    this.accepted = { sdp, sessionTimer: options.sessionTimer };
    this.#responded();
    return new Promise((resolve, reject) => {
      this.#ack = resolve;
      this.#ackFail = reject;
    });
  }

  reject(status: number, warning?: SipWarning, details?: RejectDetails): void {
    this.rejected = { status, warning, details };
    this.#responded();
  }

  /** The caller ACKs our 200 (with the answer for a late offer). */
  ack(answer?: string): void {
    this.#ack?.(answer === undefined ? undefined : sdpBody(answer));
  }

  /** The ACK never comes (Timer H). */
  ackTimeout(): void {
    this.#ackFail?.(new SipStatusError(408));
    this.peerEnds({ kind: "ack_timeout" });
  }

  /** The caller gives up before the answer. */
  cancel(): void {
    this.peerEnds({ kind: "cancelled" });
    this.#ackFail?.(new SipStatusError(487));
  }
}

/** What a test scripts for the next outbound INVITE. */
export type InviteScript =
  | {
      readonly kind: "answer";
      readonly answerSdp: (offer: string) => string;
      readonly early?: (offer: string) => string;
      readonly sessionTimer?: SessionTimerAnswer;
    }
  | { readonly kind: "fail"; readonly status: number }
  | { readonly kind: "ring_forever" };

export class FakeLine implements SignalingLine {
  readonly name: string;
  #handler: ((s: IncomingSignaling) => void) | undefined;
  readonly invites: { target: string; sdp: string; options: InviteOptions | undefined }[] = [];
  readonly sessions: FakeSession[] = [];
  nextInvite: InviteScript = { kind: "fail", status: 503 };

  constructor(name = "test") {
    this.name = name;
  }

  onIncoming(handler: (session: IncomingSignaling) => void): void {
    this.#handler = handler;
  }

  /** Delivers an incoming INVITE to telephony. */
  deliver(incoming: FakeIncoming): FakeIncoming {
    this.#handler?.(incoming);
    return incoming;
  }

  async invite(target: string, sdp: string, options?: InviteOptions): Promise<OutgoingInviteResult> {
    this.invites.push({ target, sdp, options });
    const script = this.nextInvite;
    if (script.kind === "fail") throw new SipStatusError(script.status);
    if (script.kind === "answer") {
      if (script.early) options?.onProgress?.({ status: 183, body: sdpBody(script.early(sdp)) });
      const session = new FakeSession("2002");
      this.sessions.push(session);
      return { session, answer: sdpBody(script.answerSdp(sdp)), sessionTimer: script.sessionTimer };
    }
    return new Promise((_resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) reject(new SipStatusError(487));
      signal?.addEventListener("abort", () => reject(new SipStatusError(487)), { once: true });
    });
  }
}
