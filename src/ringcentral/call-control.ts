import { RingagentError } from "../shared/index.js";
import type { RingCentralRestClient } from "./rest-client.js";
import { type PartyStatusCode, toStatusCode } from "./telephony-event.js";

/**
 * Call Control REST (ringcentral.md 5) for a call we answered over SIP: transfer, forward,
 * on-demand recording, drop. There is deliberately no `answer`: answering in REST after SIP
 * answered gets 404/409 (the party is no longer ringing) — answer in SIP, never also in REST.
 * Failures are `RingCentralApiError`s from the client (409 TAS-102 explained, never retried).
 */
export interface CallPartyRef {
  readonly telephonySessionId: string;
  readonly partyId: string;
}

/** Where to send the caller; exactly one target. */
export type CallTarget =
  | { readonly phoneNumber: string }
  | { readonly extensionNumber: string }
  | { readonly extensionId: string }
  /** The voicemail of this extension id. */
  | { readonly voicemail: string };

export interface PartyState {
  readonly partyId: string;
  readonly code: PartyStatusCode;
  readonly reason: string | undefined;
}

export interface RecordingState {
  readonly recordingId: string;
  readonly active: boolean;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function partyState(data: unknown, fallbackId: string): PartyState {
  const party = asRecord(data);
  const status = asRecord(party.status);
  return {
    partyId: typeof party.id === "string" ? party.id : fallbackId,
    code: typeof status.code === "string" ? toStatusCode(status.code) : "Unknown",
    reason: typeof status.reason === "string" ? status.reason : undefined,
  };
}

function recordingState(data: unknown): RecordingState {
  const rec = asRecord(data);
  if (typeof rec.id !== "string") {
    throw new RingagentError("ringcentral_response_invalid", "RingCentral recording response has no id");
  }
  return { recordingId: rec.id, active: rec.active === true };
}

function targetBody(target: CallTarget): Record<string, string> {
  const entries = Object.entries(target).filter(([, v]) => typeof v === "string" && v.length > 0);
  if (entries.length !== 1) {
    throw new RingagentError("ringcentral_target_invalid", "a transfer/forward needs exactly one target");
  }
  return Object.fromEntries(entries);
}

export class CallControl {
  readonly #client: RingCentralRestClient;

  constructor(client: RingCentralRestClient) {
    this.#client = client;
  }

  #party(ref: CallPartyRef, suffix = ""): string {
    return `/restapi/v1.0/account/~/telephony/sessions/${encodeURIComponent(ref.telephonySessionId)}/parties/${encodeURIComponent(ref.partyId)}${suffix}`;
  }

  /** Blind transfer of an Answered/Hold party (200 CallParty). */
  async transfer(ref: CallPartyRef, target: CallTarget): Promise<PartyState> {
    const { data } = await this.#client.post(this.#party(ref, "/transfer"), targetBody(target));
    return partyState(data, ref.partyId);
  }

  /** Forward a party that is still ringing (Setup/Proceeding; 200 ForwardCallPartyResponse). */
  async forward(ref: CallPartyRef, target: CallTarget): Promise<PartyState> {
    const { data } = await this.#client.post(this.#party(ref, "/forward"), targetBody(target));
    return partyState(data, ref.partyId);
  }

  /** Starts on-demand recording (201 CallRecording). */
  async startRecording(ref: CallPartyRef): Promise<RecordingState> {
    const { data } = await this.#client.post(this.#party(ref, "/recordings"));
    return recordingState(data);
  }

  /** Pauses (`active: false`) or resumes a recording (200 CallRecording). */
  async setRecordingActive(ref: CallPartyRef, recordingId: string, active: boolean): Promise<RecordingState> {
    const { data } = await this.#client.patch(
      this.#party(ref, `/recordings/${encodeURIComponent(recordingId)}`),
      {
        active,
      },
    );
    return recordingState(data);
  }

  /** The party's current status. */
  async getParty(ref: CallPartyRef): Promise<PartyState> {
    const { data } = await this.#client.get(this.#party(ref));
    return partyState(data, ref.partyId);
  }

  /** Drops the whole session for everyone (204). */
  async drop(telephonySessionId: string): Promise<void> {
    await this.#client.delete(
      `/restapi/v1.0/account/~/telephony/sessions/${encodeURIComponent(telephonySessionId)}`,
    );
  }
}
