import { createInDialogRequest } from "../message/in-dialog-builder.js";
import { getContacts, getCSeq, getFrom, getRecordRoutes, getTo } from "../message/message-accessors.js";
import type { ExtraHeaders } from "../message/message-builders.js";
import type { NameAddr } from "../message/name-addr.js";
import { nameAddrTag } from "../message/name-addr.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { Uri } from "../message/sip-uri.js";
import type { Via } from "../message/via-header.js";

/** RFC 3261 12: a dialog is early (created by a 1xx with a To tag) or confirmed (2xx), then terminated. */
export type DialogState = "early" | "confirmed" | "terminated";

const transitions: { readonly [K in DialogState]: readonly DialogState[] } = {
  early: ["confirmed", "terminated"],
  confirmed: ["terminated"],
  terminated: [],
};

/** RFC 3261 12: "A dialog is identified ... by a Call-ID value, local tag and a remote tag." */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The dialog id an inbound in-dialog request names (RFC 3261 12.2.2: local tag = To tag, remote tag
 * = From tag); undefined when it has no To tag (out of dialog) or is malformed.
 */
export function dialogIdOfRequest(request: SipRequest): DialogId | undefined {
  const callId = request.headers.get("Call-ID");
  const to = getTo(request);
  const from = getFrom(request);
  if (callId === undefined || to === undefined || from === undefined) return undefined;
  const localTag = nameAddrTag(to);
  const remoteTag = nameAddrTag(from);
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId, localTag, remoteTag };
}

/** RFC 3261 8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer and MUST be less than 2**31." */
export function initialCSeq(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * 0x7fff);
}

function withoutTag(value: NameAddr): NameAddr {
  return { ...value, params: value.params.filter((p) => p.name.toLowerCase() !== "tag") };
}

export interface DialogInit {
  readonly id: DialogId;
  readonly state: DialogState;
  readonly role: "uac" | "uas";
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  readonly remoteTarget: Uri;
  readonly routeSet: readonly NameAddr[];
  readonly localSeq: number;
  readonly remoteSeq: number | undefined;
  readonly secure: boolean;
}

export type RemoteCSeqCheck = "ok" | "out-of-order";

/**
 * Dialog state (RFC 3261 12): ids, route set, local/remote CSeq (per dialog, never process-wide),
 * remote target. Usages (INVITE session, REFER subscription) hold one and build requests through it.
 */
export class Dialog {
  readonly id: DialogId;
  readonly key: string;
  readonly role: "uac" | "uas";
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  readonly secure: boolean;
  #state: DialogState;
  #remoteTarget: Uri;
  #routeSet: readonly NameAddr[];
  #localSeq: number;
  #remoteSeq: number | undefined;

  constructor(init: DialogInit) {
    this.id = init.id;
    this.key = dialogKey(init.id);
    this.role = init.role;
    this.localUri = withoutTag(init.localUri);
    this.remoteUri = withoutTag(init.remoteUri);
    this.secure = init.secure;
    this.#state = init.state;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
  }

  /**
   * RFC 3261 12.1.1 (UAS): "The route set MUST be set to the list of URIs in the Record-Route header
   * field from the request, taken in order and preserving all URI parameters ... The remote target
   * MUST be set to the URI from the Contact header field of the request ... The remote sequence
   * number MUST be set to the value of the sequence number in the CSeq header field of the request.
   * The local sequence number MUST be empty." (We pick ours now; it is used on our first request.)
   */
  static asUas(request: SipRequest, localTag: string, localSeq: number): Dialog | undefined {
    const callId = request.headers.get("Call-ID");
    const from = getFrom(request);
    const to = getTo(request);
    const cseq = getCSeq(request);
    const contacts = getContacts(request);
    const routes = getRecordRoutes(request);
    const remoteTag = from === undefined ? undefined : nameAddrTag(from);
    if (callId === undefined || from === undefined || to === undefined || cseq === undefined)
      return undefined;
    if (remoteTag === undefined || contacts === undefined || contacts === "*" || routes === undefined)
      return undefined;
    const contact = contacts[0];
    if (contact === undefined) return undefined;
    return new Dialog({
      id: { callId, localTag, remoteTag },
      state: "early",
      role: "uas",
      localUri: to,
      remoteUri: from,
      remoteTarget: contact.uri,
      routeSet: routes,
      localSeq,
      remoteSeq: cseq.seq,
      secure: request.uri.kind === "sip" && request.uri.scheme === "sips",
    });
  }

  /**
   * RFC 3261 12.1.2 (UAC): "The route set MUST be set to the list of URIs in the Record-Route header
   * field from the response, taken in reverse order ... The remote target MUST be set to the URI from
   * the Contact header field of the response ... The local sequence number MUST be set to the value
   * of the sequence number in the CSeq header field of the request. The remote sequence number MUST
   * be empty." State: early for a 1xx with a To tag, confirmed for a 2xx.
   */
  static asUac(request: SipRequest, response: SipResponse): Dialog | undefined {
    const callId = request.headers.get("Call-ID");
    const from = getFrom(request);
    const to = getTo(response);
    const cseq = getCSeq(request);
    const contacts = getContacts(response);
    const routes = getRecordRoutes(response);
    const localTag = from === undefined ? undefined : nameAddrTag(from);
    const remoteTag = to === undefined ? undefined : nameAddrTag(to);
    if (callId === undefined || from === undefined || to === undefined || cseq === undefined)
      return undefined;
    if (localTag === undefined || remoteTag === undefined || routes === undefined) return undefined;
    const contact = contacts === undefined || contacts === "*" ? undefined : contacts[0];
    // A 1xx may lack a Contact; the remote target is then learnt from the 2xx.
    const remoteTarget = contact?.uri ?? request.uri;
    return new Dialog({
      id: { callId, localTag, remoteTag },
      state: response.status < 200 ? "early" : "confirmed",
      role: "uac",
      localUri: from,
      remoteUri: to,
      remoteTarget,
      routeSet: [...routes].reverse(),
      localSeq: cseq.seq,
      remoteSeq: undefined,
      secure: request.uri.kind === "sip" && request.uri.scheme === "sips",
    });
  }

  get state(): DialogState {
    return this.#state;
  }

  get remoteTarget(): Uri {
    return this.#remoteTarget;
  }

  get routeSet(): readonly NameAddr[] {
    return this.#routeSet;
  }

  get localSeq(): number {
    return this.#localSeq;
  }

  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  /** RFC 3261 12.1.2: "a 2xx response ... confirms the dialog"; 12.1.1 likewise for the UAS on its 2xx. */
  confirm(response?: SipResponse): void {
    if (this.#state !== "early") return;
    this.#transition("confirmed");
    // RFC 3261 12.1.2 / 13.2.2.4: for a UAC the route set and remote target come from the 2xx.
    if (response !== undefined && this.role === "uac") {
      const routes = getRecordRoutes(response);
      if (routes !== undefined) this.#routeSet = [...routes].reverse();
      this.refreshTarget(response);
    }
  }

  terminate(): void {
    if (this.#state !== "terminated") this.#transition("terminated");
  }

  #transition(to: DialogState): void {
    if (transitions[this.#state].includes(to)) this.#state = to;
  }

  /**
   * RFC 3261 12.2.1.1: "The UAC uses the remote target and route set to build the Request-URI and
   * Route header field of the request." Local CSeq: "it MUST be incremented by one ... for each
   * request within the dialog" (ACK and CANCEL reuse the INVITE's number; use {@link createAck}).
   */
  createRequest(
    method: string,
    parts: {
      via: Via;
      contact?: NameAddr;
      headers?: ExtraHeaders;
      body?: Buffer | string;
      contentType?: string;
    },
  ): SipRequest {
    this.#localSeq++;
    return this.#build(method, this.#localSeq, parts);
  }

  /** RFC 3261 13.2.2.4: the ACK for a 2xx has the CSeq number of the INVITE and the dialog's route set. */
  createAck(
    inviteCSeq: number,
    parts: { via: Via; body?: Buffer | string; contentType?: string },
  ): SipRequest {
    return this.#build("ACK", inviteCSeq, parts);
  }

  #build(
    method: string,
    cseq: number,
    parts: {
      via: Via;
      contact?: NameAddr;
      headers?: ExtraHeaders;
      body?: Buffer | string;
      contentType?: string;
    },
  ): SipRequest {
    return createInDialogRequest({
      method,
      callId: this.id.callId,
      local: this.localUri,
      localTag: this.id.localTag,
      remote: this.remoteUri,
      remoteTag: this.id.remoteTag,
      remoteTarget: this.#remoteTarget,
      routeSet: this.#routeSet,
      cseq,
      via: parts.via,
      ...(parts.contact === undefined ? {} : { contact: parts.contact }),
      ...(parts.headers === undefined ? {} : { headers: parts.headers }),
      ...(parts.body === undefined ? {} : { body: parts.body }),
      ...(parts.contentType === undefined ? {} : { contentType: parts.contentType }),
    });
  }

  /**
   * RFC 3261 12.2.2: "If the remote sequence number is empty, it MUST be set to the value of the
   * sequence number in the CSeq header field value in the request. If the remote sequence number was
   * not empty, but the sequence number of the request is lower than the remote sequence number, the
   * request is out of order and MUST be rejected with a 500 (Server Internal Error) response."
   * ACK and CANCEL carry the number of the request they belong to and are not checked here.
   */
  checkRemoteCSeq(request: SipRequest): RemoteCSeqCheck {
    const cseq = getCSeq(request);
    if (cseq === undefined) return "out-of-order";
    if (this.#remoteSeq !== undefined && cseq.seq < this.#remoteSeq) return "out-of-order";
    if (this.#remoteSeq !== undefined && cseq.seq === this.#remoteSeq && request.method !== "ACK")
      return "out-of-order";
    this.#remoteSeq = cseq.seq;
    return "ok";
  }

  /**
   * RFC 3261 12.2 / RFC 3311 5.2: a target refresh request (re-INVITE, UPDATE) or its 2xx replaces
   * the remote target with its Contact URI. "the route set MUST NOT change" (12.2).
   */
  refreshTarget(message: SipRequest | SipResponse): void {
    const contacts = getContacts(message);
    if (contacts === undefined || contacts === "*") return;
    const first = contacts[0];
    if (first !== undefined) this.#remoteTarget = first.uri;
  }

  /** Where in-dialog requests are sent: the first route (RFC 3261 12.2.1.1 / 8.1.2) or the remote target. */
  nextHopUri(): Uri {
    return this.#routeSet[0]?.uri ?? this.#remoteTarget;
  }
}
