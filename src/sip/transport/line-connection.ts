import { EventEmitter } from "node:events";
import { RingagentError, type Timer } from "../../shared/index.js";
import type { FlowCloseReason } from "./flow-types.js";
import { backoffDelayMs, NextHopSelector, type OutboundProxyPolicy } from "./next-hop.js";
import type { TransportLayer } from "./transport-layer.js";
import type { FlowInfo } from "./transport-layer-types.js";
import type { SipAddress } from "./transport-types.js";

export interface LineConnectionEvents {
  /** A flow to `hop` is open (first time or after a reconnect): (re-)REGISTER over it (RFC 5626 4.2). */
  up: [flow: FlowInfo, hop: SipAddress];
  /** The flow failed; a reconnect is scheduled after `retryInMs`. */
  down: [reason: FlowCloseReason, retryInMs: number];
  /** One connection attempt failed (the next hop and delay follow the backoff/failover policy). */
  attemptFailed: [hop: SipAddress, error: RingagentError];
}

type LineState = "idle" | "connecting" | "up" | "waiting" | "stopped";

/**
 * Keeps one client flow open to a line's outbound proxy (RFC 5626 4.5 flow recovery): connects to
 * the primary, fails over to the backup when the primary cannot be reached, reconnects with
 * exponential backoff and jitter when the flow drops. Stream transports only (tcp/tls/ws/wss); for
 * UDP lines use `resolveNextHop()` per request instead.
 */
export class LineConnection extends EventEmitter<LineConnectionEvents> {
  readonly #layer: TransportLayer;
  readonly #selector: NextHopSelector;
  #state: LineState = "idle";
  #flow: FlowInfo | undefined;
  #hop: SipAddress | undefined;
  #consecutiveFailures = 0;
  /** Connection attempts since the last backoff wait (bounds immediate failover to one round). */
  #attemptsThisRound = 0;
  #retryTimer: Timer | undefined;
  readonly #onFlowClosed: (flowId: string, reason: FlowCloseReason) => void;

  constructor(layer: TransportLayer, policy: OutboundProxyPolicy) {
    super();
    this.#layer = layer;
    this.#selector = new NextHopSelector(policy, layer.clock);
    this.#onFlowClosed = (flowId, reason) => {
      if (this.#flow?.flowId !== flowId || this.#state !== "up") return;
      this.#flow = undefined;
      if (reason === "transport_closed") {
        this.#state = "stopped";
        return;
      }
      // A dropped flow is retried on the same hop first; failover happens when connecting fails.
      this.#scheduleRetry(reason);
    };
    layer.on("flowClosed", this.#onFlowClosed);
  }

  get state(): LineState {
    return this.#state;
  }

  /** The open flow, when up: send requests with `{ flowId }` so they stay on it. */
  get flow(): FlowInfo | undefined {
    return this.#flow;
  }

  /** The hop the current (or last attempted) connection uses. */
  get hop(): SipAddress | undefined {
    return this.#hop;
  }

  /** The hop (primary or backup proxy) the next connection will use (RFC 3261 8.1.2 next hop). */
  resolveNextHop(): SipAddress {
    return this.#selector.current();
  }

  /** Starts connecting; throws RingagentError `config_invalid` for a UDP proxy (no connection to keep). */
  start(): void {
    if (this.#state !== "idle") return;
    const { primary, backup } = this.#selector.policy;
    if (primary.protocol === "udp" || backup?.protocol === "udp") {
      throw new RingagentError("config_invalid", "a line connection needs a stream transport");
    }
    this.#connect();
  }

  /** Stops reconnecting and closes the flow. */
  stop(): void {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#retryTimer?.cancel();
    this.#layer.off("flowClosed", this.#onFlowClosed);
    if (this.#flow !== undefined) this.#layer.closeFlow(this.#flow.flowId);
    this.#flow = undefined;
  }

  #connect(): void {
    if (this.#state === "stopped") return;
    this.#state = "connecting";
    const hop = this.#selector.current();
    this.#hop = hop;
    this.#attemptsThisRound++;
    this.#layer.connect(hop).then(
      (flow) => {
        if (this.#state === "stopped") {
          this.#layer.closeFlow(flow.flowId);
          return;
        }
        this.#state = "up";
        this.#flow = flow;
        this.#consecutiveFailures = 0;
        this.#attemptsThisRound = 0;
        this.emit("up", flow, hop);
      },
      (error: RingagentError) => {
        if (this.#state === "stopped") return;
        if (error.code === "transport_closed") {
          this.#state = "stopped";
          return;
        }
        this.emit("attemptFailed", hop, error);
        const next = this.#selector.reportFailure(hop);
        // Fail over at once when there is another hop to try; otherwise back off.
        const hops = this.#selector.policy.backup === undefined ? 1 : 2;
        if (next !== hop && this.#attemptsThisRound < hops) {
          this.#connect();
          return;
        }
        this.#consecutiveFailures++;
        this.#scheduleRetry(undefined);
      },
    );
  }

  #scheduleRetry(reason: FlowCloseReason | undefined): void {
    this.#state = "waiting";
    this.#attemptsThisRound = 0;
    const delayMs = backoffDelayMs(this.#layer.backoff, this.#consecutiveFailures);
    if (reason !== undefined) this.emit("down", reason, delayMs);
    this.#retryTimer = this.#layer.clock.setTimer(delayMs, () => this.#connect());
  }
}
