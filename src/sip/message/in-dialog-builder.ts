import type { ExtraHeaders } from "./message-builders.js";
import { createRequest } from "./message-builders.js";
import type { NameAddr } from "./name-addr.js";
import type { SipRequest } from "./sip-message.js";
import type { Uri } from "./sip-uri.js";
import { uriParam } from "./sip-uri.js";
import type { Via } from "./via-header.js";

/** What a dialog knows (RFC 3261 12.1) plus what this request adds. */
export interface InDialogRequestParts {
  readonly method: string;
  readonly callId: string;
  readonly local: NameAddr;
  readonly localTag: string;
  readonly remote: NameAddr;
  readonly remoteTag?: string | undefined;
  readonly remoteTarget: Uri;
  /** In the order used for requests (RFC 3261 12.1.1/12.1.2). */
  readonly routeSet: readonly NameAddr[];
  readonly cseq: number;
  readonly via: Via;
  readonly contact?: NameAddr;
  readonly headers?: ExtraHeaders;
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

function withTagParam(value: NameAddr, tag: string | undefined): NameAddr {
  const others = value.params.filter((p) => p.name.toLowerCase() !== "tag");
  return { ...value, params: tag === undefined ? others : [...others, { name: "tag", value: tag }] };
}

/**
 * RFC 3261 12.2.1.1: To = remote URI + remote tag, From = local URI + local tag, the dialog's
 * Call-ID, and the Request-URI/Route from the route set: "If the route set is not empty, and the
 * first URI in the route set contains the lr parameter ... the UAC MUST place the remote target URI
 * into the Request-URI and MUST include a Route header field containing the route set". Otherwise
 * (strict routing) the first route becomes the Request-URI and the remote target the last Route.
 */
export function createInDialogRequest(parts: InDialogRequestParts): SipRequest {
  let uri: Uri = parts.remoteTarget;
  let route: NameAddr[] = [...parts.routeSet];
  const first = parts.routeSet[0];
  if (first !== undefined && uriParam(first.uri, "lr") === undefined) {
    uri = first.uri;
    route = [...parts.routeSet.slice(1), { uri: parts.remoteTarget, params: [] }];
  }
  return createRequest({
    method: parts.method,
    uri,
    via: parts.via,
    from: withTagParam(parts.local, parts.localTag),
    to: withTagParam(parts.remote, parts.remoteTag),
    callId: parts.callId,
    cseq: parts.cseq,
    route,
    ...(parts.contact === undefined ? {} : { contact: parts.contact }),
    ...(parts.headers === undefined ? {} : { headers: parts.headers }),
    ...(parts.body === undefined ? {} : { body: parts.body }),
    ...(parts.contentType === undefined ? {} : { contentType: parts.contentType }),
  });
}
