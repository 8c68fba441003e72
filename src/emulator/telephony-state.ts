import { randomToken } from "../shared/index.js";
import type {
  EmulatedParty,
  EmulatedPartyStatus,
  EmulatedSession,
  PartyAddress,
  PartyStatusCode,
} from "./emulator-types.js";

/**
 * Calls as the platform's telephony service sees them (ringcentral.md 4.3, 5): sessions with a
 * caller party and our extension's party, status changes published as telephony-session events
 * (one event per change of our party), and call-log records when a call ends.
 */
export interface TelephonyEventBody {
  readonly sequence: number;
  readonly sessionId: string;
  readonly telephonySessionId: string;
  readonly serverId: string;
  readonly eventTime: string;
  readonly origin: { readonly type: "Call" };
  readonly parties: readonly Record<string, unknown>[];
}

export interface CallLogEntry {
  readonly visibleAtMs: number;
  readonly record: Record<string, unknown>;
}

export interface SimulatedCallInit {
  readonly sipCallId: string;
  readonly from: string;
  readonly to: string;
  readonly fromName?: string;
}

export class TelephonyState {
  readonly sessions = new Map<string, EmulatedSession>();
  readonly callLog: CallLogEntry[] = [];
  #sequence = 1;
  #nextRecordingId = 1;
  readonly #accountId: string;
  readonly #extensionId: string;
  readonly #extensionNumber: string;
  readonly #now: () => number;
  readonly #publish: (body: TelephonyEventBody, party: EmulatedParty) => void;
  callLogDelayMs: number;

  constructor(options: {
    accountId: string;
    extensionId: string;
    extensionNumber: string;
    now: () => number;
    callLogDelayMs: number;
    publish: (body: TelephonyEventBody, party: EmulatedParty) => void;
  }) {
    this.#accountId = options.accountId;
    this.#extensionId = options.extensionId;
    this.#extensionNumber = options.extensionNumber;
    this.#now = options.now;
    this.callLogDelayMs = options.callLogDelayMs;
    this.#publish = options.publish;
  }

  /** Creates an inbound PSTN call to our extension, in Setup (one Setup event). */
  createInboundCall(init: SimulatedCallInit): EmulatedSession {
    const hex = randomToken(16);
    const telephonySessionId = `s-${hex}`;
    const caller: PartyAddress = {
      phoneNumber: init.from,
      ...(init.fromName === undefined ? {} : { name: init.fromName }),
    };
    const callee: PartyAddress = { phoneNumber: init.to, name: "ringagent", extensionId: this.#extensionId };
    const session: EmulatedSession = {
      telephonySessionId,
      sessionId: String(400_000_000_000 + Math.floor(Math.random() * 99_999_999)),
      serverId: "10.13.22.27.TAM",
      creationTime: new Date(this.#now()).toISOString(),
      startedAtMs: this.#now(),
      answeredAtMs: undefined,
      endedAtMs: undefined,
      result: "Missed",
      parties: [
        this.#party(`p-${hex}-1`, "Outbound", caller, callee, false, init.sipCallId),
        this.#party(`p-${hex}-2`, "Inbound", caller, callee, true, init.sipCallId),
      ],
    };
    this.sessions.set(telephonySessionId, session);
    this.setStatus(session, this.ourParty(session), { code: "Setup" });
    return session;
  }

  ourParty(session: EmulatedSession): EmulatedParty {
    const party = session.parties.find((p) => p.ours);
    if (party === undefined) throw new Error("emulator: session without our party");
    return party;
  }

  findBySipCallId(sipCallId: string): EmulatedSession | undefined {
    for (const session of this.sessions.values()) {
      if (session.parties.some((p) => p.sipCallId === sipCallId)) return session;
    }
    return undefined;
  }

  /** Applies a status to a party, publishes the event, and finishes the call when it ends. */
  setStatus(session: EmulatedSession, party: EmulatedParty, status: EmulatedPartyStatus): void {
    party.status = status;
    if (status.code === "Answered" && session.answeredAtMs === undefined) {
      session.answeredAtMs = this.#now();
      session.result = "Accepted";
    }
    if (party.ours) this.#publish(this.eventBody(session, party), party);
    const ended = status.code === "Disconnected" || status.code === "Gone" || status.code === "VoiceMail";
    if (party.ours && ended && session.endedAtMs === undefined) {
      if (status.code === "VoiceMail") session.result = "Voicemail";
      this.endSession(session, undefined);
    }
  }

  /** Ends the session: every party still up is Disconnected, the call-log record is written. */
  endSession(session: EmulatedSession, reason: string | undefined): void {
    if (session.endedAtMs !== undefined) return;
    session.endedAtMs = this.#now();
    for (const party of session.parties) {
      if (party.status.code !== "Disconnected" && party.status.code !== "Gone") {
        this.setStatus(session, party, { code: "Disconnected", ...(reason === undefined ? {} : { reason }) });
      }
    }
    this.sessions.delete(session.telephonySessionId);
    this.callLog.push({
      visibleAtMs: this.#now() + this.callLogDelayMs,
      record: this.#callLogRecord(session),
    });
  }

  startRecording(party: EmulatedParty): { id: string; active: boolean } {
    const recording = { id: String(this.#nextRecordingId++ + 7_000_000), active: true };
    party.recordings.push(recording);
    return recording;
  }

  /** The telephony-session event body for one party change (ringcentral.md 4.3). */
  eventBody(session: EmulatedSession, party: EmulatedParty): TelephonyEventBody {
    return {
      sequence: this.#sequence++,
      sessionId: session.sessionId,
      telephonySessionId: session.telephonySessionId,
      serverId: session.serverId,
      eventTime: new Date(this.#now()).toISOString(),
      origin: { type: "Call" },
      parties: [this.partyJson(party, true)],
    };
  }

  /** A party as events and `CallParty` responses show it; `sipData` only when asked for. */
  partyJson(party: EmulatedParty, withSipData: boolean): Record<string, unknown> {
    const json: Record<string, unknown> = {
      accountId: this.#accountId,
      ...(party.ours ? { extensionId: this.#extensionId } : {}),
      id: party.id,
      direction: party.direction,
      to: party.to,
      from: party.from,
      status: {
        code: party.status.code,
        ...(party.status.reason === undefined ? {} : { reason: party.status.reason }),
        rcc: false,
      },
      park: {},
      missedCall: false,
      standAlone: false,
      muted: false,
    };
    if (party.recordings.length > 0) json.recordings = party.recordings.map((r) => ({ ...r }));
    if (withSipData) json.sipData = { toTag: party.toTag, fromTag: party.fromTag, callId: party.sipCallId };
    return json;
  }

  sessionJson(session: EmulatedSession): Record<string, unknown> {
    return {
      id: session.telephonySessionId,
      origin: { type: "Call" },
      creationTime: session.creationTime,
      parties: session.parties.map((p) => this.partyJson(p, false)),
    };
  }

  #party(
    id: string,
    direction: "Inbound" | "Outbound",
    from: PartyAddress,
    to: PartyAddress,
    ours: boolean,
    sipCallId: string,
  ): EmulatedParty {
    return {
      id,
      direction,
      from,
      to,
      ours,
      status: { code: "Setup" as PartyStatusCode },
      sipCallId,
      fromTag: `10.13.22.241-5070-${randomToken(6)}`,
      toTag: randomToken(8),
      recordings: [],
    };
  }

  #callLogRecord(session: EmulatedSession): Record<string, unknown> {
    const party = this.ourParty(session);
    const endedAtMs = session.endedAtMs ?? this.#now();
    const durationMs = session.answeredAtMs === undefined ? 0 : endedAtMs - session.answeredAtMs;
    const id = `Y${randomToken(10)}`;
    const base = `/restapi/v1.0/account/${this.#accountId}`;
    const recording = party.recordings[0];
    return {
      id,
      uri: `${base}/extension/${this.#extensionId}/call-log/${id}`,
      sessionId: session.sessionId,
      telephonySessionId: session.telephonySessionId,
      partyId: party.id,
      startTime: session.creationTime,
      duration: Math.round(durationMs / 1000),
      durationMs,
      type: "Voice",
      direction: "Inbound",
      action: "Phone Call",
      result: session.result,
      from: { phoneNumber: party.from.phoneNumber, name: party.from.name },
      to: { phoneNumber: party.to.phoneNumber, extensionNumber: this.#extensionNumber },
      transport: "PSTN",
      ...(recording === undefined
        ? {}
        : {
            recording: {
              id: recording.id,
              uri: `${base}/recording/${recording.id}`,
              type: "OnDemand",
              contentUri: `${base}/recording/${recording.id}/content`,
            },
          }),
      lastModifiedTime: new Date(endedAtMs).toISOString(),
    };
  }
}
