import type { AuthorizationHeader, DigestClient } from "../auth/digest-client.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { formatUri } from "../message/sip-uri.js";
import type { ClientTransaction, TransactionLayer } from "../transaction/transaction-layer.js";
import type { RequestTarget } from "./ua-addressing.js";

export interface SendRequestOptions {
  readonly digest?: DigestClient | undefined;
  readonly onProvisional?: (response: SipResponse) => void;
  /** 2xx retransmissions after the first (INVITE, RFC 6026 Accepted): re-send the ACK. */
  readonly onLater2xx?: (response: SipResponse) => void;
  /** Each request actually sent (an auth retry is a new request), e.g. to CANCEL the current one. */
  readonly onSent?: (request: SipRequest, transaction: ClientTransaction) => void;
}

export interface SendRequestResult {
  readonly request: SipRequest;
  readonly response: SipResponse;
  readonly transaction: ClientTransaction;
  /** Set when the final was built locally: Timer B/F (RFC 3261 8.1.3.1) or a transport error. */
  readonly local: "timeout" | "transport" | undefined;
}

function once(
  layer: TransactionLayer,
  request: SipRequest,
  target: RequestTarget,
  options: SendRequestOptions,
): Promise<SendRequestResult> {
  return new Promise((resolve) => {
    let done = false;
    const tx = layer.sendRequest(
      request,
      target.destination,
      {
        onResponse: (response) => {
          if (done) {
            if (response.status >= 200 && response.status < 300) options.onLater2xx?.(response);
            return;
          }
          if (response.status < 200) {
            options.onProvisional?.(response);
            return;
          }
          done = true;
          resolve({ request, response, transaction: tx, local: undefined });
        },
        onFailure: (failure) => {
          if (done) return;
          done = true;
          resolve({ request, response: failure.response, transaction: tx, local: failure.reason });
        },
      },
      target.flowId === undefined ? {} : { flowId: target.flowId },
    );
    options.onSent?.(request, tx);
  });
}

/**
 * Sends a request through a client transaction and answers digest challenges (RFC 3261 22.2: "the
 * UAC SHOULD ... re-originate the request with the proper credentials", new CSeq and branch, built
 * by `build`). Gives up when credentials we just sent are challenged again without stale=true.
 * Resolves with the final response; never rejects.
 */
export async function sendWithAuth(
  layer: TransactionLayer,
  build: (auth: AuthorizationHeader | undefined) => SipRequest,
  target: RequestTarget,
  options: SendRequestOptions = {},
): Promise<SendRequestResult> {
  let auth: AuthorizationHeader | undefined;
  for (let round = 0; ; round++) {
    const request = build(auth);
    const result = await once(layer, request, target, options);
    const status = result.response.status;
    if ((status !== 401 && status !== 407) || options.digest === undefined || round >= 3) return result;
    const next = options.digest.authorize(
      result.response,
      { method: request.method, uri: formatUri(request.uri), body: request.body },
      { alreadyAuthorized: auth !== undefined },
    );
    if (next === undefined) return result;
    auth = next;
  }
}

/** The body of a message, or undefined when empty. */
export function bodyOf(message: SipRequest | SipResponse): { contentType: string; body: Buffer } | undefined {
  if (message.body.length === 0) return undefined;
  return {
    contentType: message.headers.get("Content-Type") ?? "application/octet-stream",
    body: message.body,
  };
}
