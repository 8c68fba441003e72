import { EventEmitter } from "node:events";
import { type Clock, describeError, type Logger, type Timer } from "../shared/index.js";
import type { RingCentralRestClient } from "./rest-client.js";

/**
 * Registration health seen from REST: polls `GET /account/~/device/{id}` and compares the
 * platform's `status` (Online/Offline) with what our SIP UA believes. "Offline while we think we
 * are registered" for `offlinePollsBeforeAlarm` polls in a row means our binding is gone: most
 * likely another instance registered the same device (only the latest registration gets calls,
 * ringcentral.md 3.2) or the registration was lost. Emitted loudly as a typed event.
 */
export interface DeviceStatusSample {
  readonly deviceId: string;
  readonly status: "Online" | "Offline" | "Unknown";
  readonly atEpochMs: number;
}

export interface DeviceOfflineWhileRegistered {
  readonly kind: "device-offline-while-registered";
  readonly deviceId: string;
  readonly consecutivePolls: number;
  /** What to do about it, for logs and the console. */
  readonly hint: string;
}

export interface DeviceHealthEvents {
  sample: [DeviceStatusSample];
  "offline-while-registered": [DeviceOfflineWhileRegistered];
  /** The device is Online again (or we stopped claiming registration). */
  recovered: [{ readonly deviceId: string }];
}

export interface DeviceHealthOptions {
  readonly client: RingCentralRestClient;
  readonly deviceId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The platform's suggested `pollingInterval` when known (sip-provision), else the default 60 s. */
  readonly pollingIntervalMs?: number;
  readonly offlinePollsBeforeAlarm?: number;
}

export const defaultDevicePollingIntervalMs = 60_000;

export class DeviceHealthMonitor extends EventEmitter<DeviceHealthEvents> {
  readonly #options: DeviceHealthOptions;
  #registered = false;
  #offlinePolls = 0;
  #alarmed = false;
  #timer: Timer | undefined;
  #running = false;
  counters = { polls: 0, pollFailures: 0, alarms: 0 };

  constructor(options: DeviceHealthOptions) {
    super();
    this.#options = options;
  }

  /** Seam for the SIP UA: call with true when REGISTER succeeded, false when unregistered/failed. */
  setRegistered(registered: boolean): void {
    this.#registered = registered;
    if (!registered) this.#reset();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** One poll (also used by `doctor`). Never throws: a failed poll is counted and logged. */
  async pollOnce(): Promise<DeviceStatusSample | undefined> {
    const { client, deviceId, clock, logger } = this.#options;
    this.counters.polls += 1;
    let sample: DeviceStatusSample;
    try {
      const { data } = await client.get(`/restapi/v1.0/account/~/device/${encodeURIComponent(deviceId)}`);
      const status = (data as { status?: unknown } | undefined)?.status;
      sample = {
        deviceId,
        status: status === "Online" || status === "Offline" ? status : "Unknown",
        atEpochMs: clock.epochMs(),
      };
    } catch (error) {
      this.counters.pollFailures += 1;
      logger.warn({ err: describeError(error) }, "ringcentral: device status poll failed");
      return undefined;
    }
    this.emit("sample", sample);
    this.#evaluate(sample);
    return sample;
  }

  #evaluate(sample: DeviceStatusSample): void {
    if (!this.#registered || sample.status !== "Offline") {
      if (this.#alarmed) this.emit("recovered", { deviceId: sample.deviceId });
      this.#reset();
      return;
    }
    this.#offlinePolls += 1;
    const threshold = this.#options.offlinePollsBeforeAlarm ?? 2;
    if (this.#offlinePolls >= threshold && !this.#alarmed) {
      this.#alarmed = true;
      this.counters.alarms += 1;
      const event: DeviceOfflineWhileRegistered = {
        kind: "device-offline-while-registered",
        deviceId: sample.deviceId,
        consecutivePolls: this.#offlinePolls,
        hint: "RingCentral shows the device offline while we hold a registration: another instance probably registered the same device (only the latest registration receives calls), or our registration was lost",
      };
      this.#options.logger.error(
        { deviceId: event.deviceId, consecutivePolls: event.consecutivePolls },
        "ringcentral: device offline while registered (probable takeover by another instance)",
      );
      this.emit("offline-while-registered", event);
    }
  }

  #reset(): void {
    this.#offlinePolls = 0;
    this.#alarmed = false;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#options.clock.setTimer(
      this.#options.pollingIntervalMs ?? defaultDevicePollingIntervalMs,
      () => {
        this.pollOnce()
          .catch(() => undefined)
          .finally(() => this.#schedule());
      },
    );
  }
}
