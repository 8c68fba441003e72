/**
 * Typed telephony-session events (ringcentral.md 4.3): filter
 * `/restapi/v1.0/account/~/extension/~/telephony/sessions?sipData=true`, one event per party
 * change, `parties[].sipData.callId` = the SIP Call-ID. Parsing never throws: malformed
 * notifications return undefined and the caller counts them.
 */
export const partyStatusCodes = [
  "Setup",
  "Proceeding",
  "Answered",
  "Disconnected",
  "Gone",
  "Parked",
  "Hold",
  "VoiceMail",
  "FaxReceive",
  "Tds",
  "VoiceMailScreening",
] as const;

/** RingCentral's party status; "Unknown" for a code this build does not know (kept in `rawCode`). */
export type PartyStatusCode = (typeof partyStatusCodes)[number] | "Unknown";

/** Statuses after which the party is no longer on the call. */
export function isTerminalStatus(code: PartyStatusCode): boolean {
  return code === "Disconnected" || code === "Gone" || code === "VoiceMail";
}

export interface PartySipData {
  readonly callId: string;
  readonly fromTag: string | undefined;
  readonly toTag: string | undefined;
}

export interface TelephonyPartyEvent {
  readonly partyId: string;
  readonly direction: "Inbound" | "Outbound" | undefined;
  readonly extensionId: string | undefined;
  readonly status: {
    readonly code: PartyStatusCode;
    readonly rawCode: string;
    readonly reason: string | undefined;
  };
  readonly sipData: PartySipData | undefined;
  readonly missedCall: boolean;
  readonly recordings: readonly { readonly id: string; readonly active: boolean }[];
}

export interface TelephonySessionEvent {
  readonly subscriptionId: string | undefined;
  readonly telephonySessionId: string;
  readonly sessionId: string | undefined;
  readonly sequence: number;
  readonly eventTime: string | undefined;
  readonly originType: string | undefined;
  readonly parties: readonly TelephonyPartyEvent[];
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export function toStatusCode(raw: string): PartyStatusCode {
  return (partyStatusCodes as readonly string[]).includes(raw) ? (raw as PartyStatusCode) : "Unknown";
}

function parseParty(value: unknown): TelephonyPartyEvent | undefined {
  const party = asObject(value);
  const status = asObject(party?.status);
  const partyId = str(party?.id);
  const rawCode = str(status?.code);
  if (party === undefined || partyId === undefined || rawCode === undefined) return undefined;
  const sip = asObject(party.sipData);
  const callId = str(sip?.callId);
  const direction =
    party.direction === "Inbound" || party.direction === "Outbound" ? party.direction : undefined;
  const recordings = Array.isArray(party.recordings)
    ? party.recordings.flatMap((r) => {
        const rec = asObject(r);
        const id = str(rec?.id);
        return id === undefined ? [] : [{ id, active: rec?.active === true }];
      })
    : [];
  return {
    partyId,
    direction,
    extensionId: str(party.extensionId),
    status: { code: toStatusCode(rawCode), rawCode, reason: str(status?.reason) },
    sipData:
      callId === undefined ? undefined : { callId, fromTag: str(sip?.fromTag), toTag: str(sip?.toTag) },
    missedCall: party.missedCall === true,
    recordings,
  };
}

/** A notification (`{uuid, event, subscriptionId, body:{...}}`) or a bare event body. */
export function parseTelephonyNotification(value: unknown): TelephonySessionEvent | undefined {
  const notification = asObject(value);
  if (notification === undefined) return undefined;
  const body = asObject(notification.body) ?? notification;
  const telephonySessionId = str(body.telephonySessionId);
  if (telephonySessionId === undefined || !Array.isArray(body.parties)) return undefined;
  const parties: TelephonyPartyEvent[] = [];
  for (const p of body.parties) {
    const party = parseParty(p);
    if (party !== undefined) parties.push(party);
  }
  if (parties.length === 0) return undefined;
  const sequence = typeof body.sequence === "number" && Number.isFinite(body.sequence) ? body.sequence : 0;
  return {
    subscriptionId: str(notification.subscriptionId),
    telephonySessionId,
    sessionId: str(body.sessionId),
    sequence,
    eventTime: str(body.eventTime),
    originType: str(asObject(body.origin)?.type),
    parties,
  };
}
