import type { CallDetail, CallRecord, CallStore } from "../../store/index.js";

/** Output of `ringagent calls`: recent calls, newest first, one line each (a terminal is the caller's own screen, so numbers are shown). */
export async function listCallsCommand(
  store: CallStore,
  options: { limit: number; out: (t: string) => void },
): Promise<number> {
  const page = await store.listCalls({ limit: options.limit });
  if (page.calls.length === 0) {
    options.out("no calls yet\n");
    return 0;
  }
  options.out(
    `${pad("STARTED", 20)}${pad("LINE", 12)}${pad("DIR", 9)}${pad("FROM", 24)}${pad("OUTCOME", 14)}${pad("DURATION", 10)}ID\n`,
  );
  for (const call of page.calls) {
    options.out(
      `${pad(formatTime(call.startedAtMs), 20)}${pad(call.line, 12)}${pad(call.direction, 9)}${pad(call.from, 24)}${pad(call.outcome ?? call.status, 14)}${pad(formatDuration(call), 10)}${call.id}\n`,
    );
  }
  return 0;
}

/** Output of `ringagent call show ID`: the call, its turns with latency, and its events. */
export async function showCallCommand(
  store: CallStore,
  id: string,
  options: { out: (t: string) => void; err: (t: string) => void },
): Promise<number> {
  let detail: CallDetail | undefined;
  try {
    detail = await store.getCall(id);
  } catch {
    detail = undefined;
  }
  if (detail === undefined) {
    options.err(`ringagent: no call with id ${id} — fix: list calls with \`ringagent calls\`\n`);
    return 1;
  }
  const { call, turns, events, messages } = detail;
  options.out(`call ${call.id}\n`);
  options.out(
    `  line ${call.line}, agent ${call.agent}, ${call.direction}, from ${call.from} to ${call.to}\n`,
  );
  options.out(
    `  started ${formatTime(call.startedAtMs)}, duration ${formatDuration(call)}, status ${call.status}`,
  );
  options.out(
    `${call.outcome ? `, outcome ${call.outcome}` : ""}${call.endReason ? ` (${call.endReason})` : ""}\n`,
  );
  if (call.sipCallId) options.out(`  SIP Call-ID ${call.sipCallId}\n`);
  if (call.rcTelephonySessionId)
    options.out(`  RingCentral session ${call.rcTelephonySessionId} party ${call.rcPartyId ?? "?"}\n`);
  if (call.recordingPath) options.out(`  recording ${call.recordingPath}\n`);
  for (const turn of turns) {
    const l = turn.latency;
    options.out(`  turn ${turn.index}${turn.interrupted ? " (interrupted)" : ""}\n`);
    options.out(`    caller: ${turn.callerText}\n    agent:  ${turn.agentText}\n`);
    const parts = Object.entries(l)
      .filter(([, v]) => typeof v === "number")
      .map(([k, v]) => `${k} ${v} ms`);
    if (parts.length > 0) options.out(`    latency: ${parts.join(", ")}\n`);
  }
  for (const event of events)
    options.out(`  event ${formatTime(event.atMs)} ${event.type} ${JSON.stringify(event.data)}\n`);
  for (const message of messages) options.out(`  message ${JSON.stringify(message)}\n`);
  return 0;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);
}

function formatDuration(call: CallRecord): string {
  if (call.endedAtMs === null) return call.status === "active" ? "live" : "-";
  return `${Math.round((call.endedAtMs - (call.answeredAtMs ?? call.startedAtMs)) / 1000)} s`;
}
