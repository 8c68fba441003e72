import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Clock, Logger } from "../../shared/index.js";
import { RingagentError, silentLogger, systemClock } from "../../shared/index.js";
import { DigestClient } from "../auth/digest-client.js";
import { DigestServer } from "../auth/digest-server.js";
import type { Dialog } from "../dialog/dialog.js";
import { dialogIdOfRequest } from "../dialog/dialog.js";
import { DialogTable } from "../dialog/dialog-table.js";
import { createResponse } from "../message/message-builders.js";
import type { NameAddr } from "../message/name-addr.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipRequest } from "../message/sip-message.js";
import { parseUri } from "../message/sip-uri.js";
import type { Via } from "../message/via-header.js";
import { Registerer } from "../registration/registerer.js";
import type {
  RegistrationError,
  RegistrationPort,
  RegistrationState,
} from "../registration/registration-types.js";
import type { InviteServerTransaction } from "../transaction/invite-server.js";
import type {
  ServerTransaction,
  TransactionLayerCounters,
  TransactionUser,
} from "../transaction/transaction-layer.js";
import { TransactionLayer } from "../transaction/transaction-layer.js";
import { LineConnection } from "../transport/line-connection.js";
import { NextHopSelector } from "../transport/next-hop.js";
import { TransportLayer } from "../transport/transport-layer.js";
import type { InboundMessage, SipAddress, TransportProtocol } from "../transport/transport-types.js";
import { InboundPolicy } from "./inbound-policy.js";
import { acceptInvite, receiveCancel } from "./invite-accept.js";
import { connectInvite, type InviteOptions } from "./invite-connect.js";
import { bodyOf, sendWithAuth } from "./request-sender.js";
import type { SipSession } from "./sip-session.js";
import { buildContact, buildVia, type RequestTarget, uriToAddress } from "./ua-addressing.js";
import type { UaCore } from "./ua-core.js";
import {
  allowHeaderValue,
  type InDialogInfo,
  type SipUserAgentOptions,
  type UaCounters,
} from "./ua-types.js";

export interface SipUserAgentEvents {
  /** A new inbound call (180 Ringing already sent unless autoRinging is off): accept or reject it. */
  incomingCall: [session: SipSession];
  registrationState: [state: RegistrationState, previous: RegistrationState];
  registrationError: [error: RegistrationError, retryInMs: number | undefined];
  /** MESSAGE / NOTIFY / INFO outside any dialog (answered 200). */
  request: [info: InDialogInfo];
}

/**
 * The SIP user agent of one line: owns its transport layer, transaction layer, dialogs and
 * registration; dispatches inbound requests (policy, CANCEL, in-dialog, new INVITEs) and places
 * outbound calls. Media is never seen here: bodies are opaque.
 */
export class SipUserAgent extends EventEmitter<SipUserAgentEvents> implements TransactionUser, UaCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly dialogs = new DialogTable<SipSession>();
  readonly digest: DigestClient | undefined;
  readonly counters: UaCounters = {
    forbiddenSources: 0,
    unknownDialog: 0,
    challengedInvites: 0,
    incomingCalls: 0,
    outgoingCalls: 0,
    outOfOrder: 0,
  };
  readonly commonHeaders: readonly (readonly [string, string])[];
  readonly localIdentity: NameAddr;
  readonly instanceId: string;
  readonly registerer: Registerer | undefined;
  readonly #options: SipUserAgentOptions;
  readonly #policy: InboundPolicy;
  readonly #line: LineConnection | undefined;
  readonly #udpHops: NextHopSelector | undefined;
  readonly #challenge: { server: DigestServer; passwordOf: (u: string) => string | undefined } | undefined;
  readonly #user: string | undefined;
  #started = false;
  #stopped = false;

  constructor(options: SipUserAgentOptions) {
    super();
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger();
    this.instanceId = options.instanceId ?? `urn:uuid:${randomUUID()}`;
    this.transport = new TransportLayer({ ...options.transport, clock: this.clock, logger: this.log });
    this.transactions = new TransactionLayer({
      sender: this.transport,
      tu: this,
      clock: this.clock,
      logger: this.log,
      ...(options.timers === undefined ? {} : { timers: options.timers }),
    });
    this.transport.on("message", (m) => this.transactions.receiveBytes(m));
    this.transport.on("error", (error) => this.log.warn({ err: error }, "sip transport error"));
    this.commonHeaders = options.userAgent === undefined ? [] : [["User-Agent", options.userAgent]];
    const account = options.account;
    const aor = account === undefined ? undefined : parseNameAddr(account.aor);
    if (account !== undefined && (aor === undefined || aor.uri.kind !== "sip")) {
      throw new RingagentError("config_invalid", "account.aor: not a sip: URI (e.g. sip:agent@example.com)");
    }
    this.#user = aor?.uri.kind === "sip" ? aor.uri.user : "ringagent";
    this.localIdentity =
      aor === undefined
        ? {
            uri: {
              kind: "sip",
              scheme: "sip",
              user: "ringagent",
              password: undefined,
              host: "invalid",
              port: undefined,
              params: [],
              headers: [],
            },
            params: [],
          }
        : { ...aor, displayName: account?.displayName ?? aor.displayName, params: [] };
    this.digest =
      account?.password === undefined
        ? undefined
        : new DigestClient({
            username: account.username ?? this.#user ?? "",
            password: account.password,
            realmOverride: account.realmOverride,
          });
    const proxy = options.outboundProxy;
    const inbound = options.inbound ?? {};
    this.#policy = new InboundPolicy({
      allowAny: inbound.allowAny ?? false,
      allowedCidrs: inbound.allowedCidrs ?? [],
      trusted:
        inbound.trustProxy === false || proxy === undefined
          ? []
          : [proxy.primary, ...(proxy.backup === undefined ? [] : [proxy.backup])],
    });
    const challenge = inbound.challenge;
    this.#challenge =
      challenge === undefined
        ? undefined
        : {
            server: new DigestServer({ realm: challenge.realm, secret: challenge.secret, clock: this.clock }),
            passwordOf: challenge.passwordOf,
          };
    if (proxy !== undefined && proxy.primary.protocol !== "udp") {
      this.#line = new LineConnection(this.transport, proxy);
      this.#line.on("up", (flow) => {
        this.#policy.trustFlow(flow.flowId);
        this.registerer?.flowUp();
      });
      this.#line.on("down", () => this.registerer?.flowDown());
    } else if (proxy !== undefined) {
      this.#udpHops = new NextHopSelector(proxy, this.clock);
    }
    const registration = options.registration ?? {};
    if (aor !== undefined && proxy !== undefined && registration.enabled !== false) {
      const registrarText = registration.registrarUri;
      const registrarUri =
        registrarText === undefined
          ? aor.uri.kind === "sip"
            ? { ...aor.uri, user: undefined, params: [], headers: [] }
            : aor.uri
          : parseUri(registrarText);
      if (registrarUri === undefined)
        throw new RingagentError("config_invalid", "registration.registrarUri: not a URI");
      this.registerer = new Registerer(
        this.#registrationPort(),
        {
          aor: { uri: aor.uri, params: [], displayName: aor.displayName },
          registrarUri,
          instanceId: this.instanceId,
          ...(account?.username === undefined ? {} : { username: account.username }),
          ...(account?.password === undefined ? {} : { password: account.password }),
          ...(account?.realmOverride === undefined ? {} : { realmOverride: account.realmOverride }),
          ...(registration.expiresS === undefined ? {} : { expiresS: registration.expiresS }),
          ...(registration.retry === undefined ? {} : { retry: registration.retry }),
          ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
        },
        this.clock,
        this.log,
      );
      this.registerer.on("state", (s, p) => this.emit("registrationState", s, p));
      this.registerer.on("error", (e, retry) => this.emit("registrationError", e, retry));
    }
  }

  /** Listens, connects the line's flow and starts registering. */
  async start(): Promise<SipAddress[]> {
    if (this.#started) return this.transport.listenAddresses();
    this.#started = true;
    for (const spec of this.#options.listen ?? []) await this.transport.listen(spec);
    this.#line?.start();
    this.registerer?.start();
    return this.transport.listenAddresses();
  }

  get registrationState(): RegistrationState | undefined {
    return this.registerer?.state;
  }

  get isRegistered(): boolean {
    return this.registerer?.isRegistered ?? false;
  }

  get transactionCounters(): Readonly<TransactionLayerCounters> {
    return this.transactions.counters;
  }

  /** Active sessions (dialogs with an INVITE usage). */
  sessions(): SipSession[] {
    return this.dialogs.usages();
  }

  /** Places a call to `target` (a SIP URI or name-addr) with our offer. */
  invite(target: string, options: InviteOptions): Promise<SipSession> {
    this.counters.outgoingCalls++;
    return connectInvite(this, target, options);
  }

  /** Hangs up every call, unregisters (bounded by `unregisterTimeoutMs`) and closes every socket. */
  async stop(options: { unregisterTimeoutMs?: number } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.sessions().map((s) => s.bye()));
    if (this.registerer !== undefined) {
      const timeoutMs = options.unregisterTimeoutMs ?? 2_000;
      let timer: { cancel(): void } | undefined;
      await Promise.race([
        this.registerer.unregister(),
        new Promise<void>((resolve) => {
          timer = this.clock.setTimer(timeoutMs, resolve);
        }),
      ]);
      timer?.cancel();
      this.registerer.stop();
    }
    for (const s of this.sessions()) s.end({ kind: "shutdown" });
    this.#line?.stop();
    this.transactions.close();
    await this.transport.close();
  }

  // --- TransactionUser ---

  onRequest(request: SipRequest, tx: ServerTransaction | undefined, inbound: InboundMessage): void {
    if (request.method === "ACK") {
      const id = dialogIdOfRequest(request);
      const entry = id === undefined ? undefined : this.dialogs.find(id);
      entry?.usage.receiveAck(request);
      return;
    }
    if (tx === undefined) return;
    if (request.method === "CANCEL") {
      receiveCancel(this, request, tx);
      return;
    }
    const id = dialogIdOfRequest(request);
    if (id !== undefined) {
      const entry = this.dialogs.find(id);
      if (entry === undefined) {
        // RFC 3261 12.2.2: "If the UAS wishes to reject the request because it does not wish to
        // recreate the dialog, it MUST respond to the request with a 481".
        this.counters.unknownDialog++;
        tx.respond(createResponse(request, 481, { headers: this.commonHeaders }));
        return;
      }
      if (entry.dialog.checkRemoteCSeq(request) === "out-of-order") {
        this.counters.outOfOrder++;
        tx.respond(createResponse(request, 500, { reason: "Out Of Order", headers: this.commonHeaders }));
        return;
      }
      entry.usage.receiveRequest(request, tx);
      return;
    }
    if (!this.#policy.allows(inbound)) {
      this.counters.forbiddenSources++;
      tx.respond(createResponse(request, 403, { headers: this.commonHeaders }));
      return;
    }
    this.#outOfDialog(request, tx, inbound);
  }

  onServerTransactionFailure(): void {
    // Timer H / transport failures of our responses: the session's own ACK timer ends the call.
  }

  #outOfDialog(request: SipRequest, tx: ServerTransaction, inbound: InboundMessage): void {
    switch (request.method) {
      case "INVITE": {
        if (tx.kind !== "invite-server") return;
        const session = acceptInvite(this, request, tx as InviteServerTransaction, inbound, {
          autoRinging: this.#options.autoRinging ?? true,
          ...(this.#challenge === undefined ? {} : { challenge: this.#challenge }),
        });
        if (session === undefined) return;
        this.counters.incomingCalls++;
        this.emit("incomingCall", session);
        return;
      }
      case "OPTIONS":
        tx.respond(
          createResponse(request, 200, {
            headers: [["Allow", allowHeaderValue], ["Accept", "application/sdp"], ...this.commonHeaders],
          }),
        );
        return;
      case "MESSAGE":
      case "NOTIFY":
      case "INFO":
        tx.respond(createResponse(request, 200, { headers: this.commonHeaders }));
        this.emit("request", { method: request.method, body: bodyOf(request), headers: request.headers });
        return;
      case "BYE":
        this.counters.unknownDialog++;
        tx.respond(createResponse(request, 481, { headers: this.commonHeaders }));
        return;
      default:
        // RFC 3261 8.2.1: a method we do not support out of dialog: 405 with Allow.
        tx.respond(
          createResponse(request, 405, { headers: [["Allow", allowHeaderValue], ...this.commonHeaders] }),
        );
    }
  }

  // --- UaCore ---

  outOfDialogTarget(uri: NameAddr["uri"]): RequestTarget | undefined {
    if (this.#line !== undefined) {
      const hop = this.#line.hop ?? this.#line.resolveNextHop();
      return { destination: hop, flowId: this.#line.flow?.flowId };
    }
    if (this.#udpHops !== undefined) return { destination: this.#udpHops.current() };
    const destination = uriToAddress(uri);
    return destination === undefined ? undefined : { destination };
  }

  inDialogTarget(dialog: Dialog, flowId: string | undefined): RequestTarget | undefined {
    if (this.#line !== undefined || this.#udpHops !== undefined)
      return this.outOfDialogTarget(dialog.remoteTarget);
    const destination = uriToAddress(dialog.nextHopUri());
    return destination === undefined ? undefined : { destination, flowId };
  }

  via(target: RequestTarget): Via {
    return buildVia(target.destination.protocol, this.#localAddress(target));
  }

  contact(target: RequestTarget): NameAddr {
    return buildContact(
      this.#user,
      target.destination.protocol,
      this.#localAddress(target),
      this.#line !== undefined,
    );
  }

  contactForInbound(inbound: InboundMessage): NameAddr {
    return buildContact(this.#user, inbound.local.protocol, inbound.local, this.#line !== undefined);
  }

  sessionEnded(session: SipSession): void {
    this.dialogs.remove(session.dialog);
  }

  #localAddress(target: RequestTarget): { host: string; port: number } {
    const protocol = target.destination.protocol;
    const flow = target.flowId === undefined ? undefined : this.transport.flow(target.flowId);
    if (flow !== undefined && flow.protocol === protocol) return flow.local;
    const lineFlow = this.#line?.flow;
    if (lineFlow !== undefined && lineFlow.protocol === protocol) return lineFlow.local;
    const listening = this.transport.listenAddresses();
    const match = listening.find((a) => a.protocol === protocol) ?? listening[0];
    return match ?? { host: "127.0.0.1", port: 5060 };
  }

  #registrationPort(): RegistrationPort {
    return {
      binding: () => {
        let destination: SipAddress;
        let flowId: string | undefined;
        let local: { host: string; port: number };
        let protocol: TransportProtocol;
        if (this.#line !== undefined) {
          const flow = this.#line.flow;
          const hop = this.#line.hop;
          if (flow === undefined || hop === undefined) return undefined;
          destination = hop;
          flowId = flow.flowId;
          local = flow.local;
          protocol = flow.protocol;
        } else if (this.#udpHops !== undefined) {
          destination = this.#udpHops.current();
          protocol = destination.protocol;
          local = this.#localAddress({ destination });
        } else return undefined;
        return {
          destination,
          flowId,
          via: buildVia(protocol, local),
          contact: buildContact(this.#user, protocol, local, this.#line !== undefined),
          outbound: this.#line !== undefined,
        };
      },
      send: async (request, binding) => {
        const { response } = await sendWithAuth(this.transactions, () => request, {
          destination: binding.destination,
          flowId: binding.flowId,
        });
        return response;
      },
      reportHopFailure: (binding) => {
        this.#udpHops?.reportFailure(binding.destination);
      },
    };
  }
}
