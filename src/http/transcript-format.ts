/** A call's transcript as plain text, one line per utterance with its offset from the call start. */
import type { CallDetail } from "../store/index.js";

function offset(ms: number): string {
  const clamped = Math.max(0, ms);
  const minutes = Math.floor(clamped / 60_000);
  const seconds = (clamped % 60_000) / 1000;
  return `${String(minutes).padStart(2, "0")}:${seconds.toFixed(1).padStart(4, "0")}`;
}

export function formatTranscript(detail: CallDetail): string {
  const { call } = detail;
  const lines = [
    `Call ${call.id} on line ${call.line} (agent ${call.agent}), started ${new Date(call.startedAtMs).toISOString()}, ${call.status}` +
      (call.outcome === null ? "" : `, outcome ${call.outcome}`),
  ];
  for (const turn of detail.turns) {
    const at = `[${offset(turn.startedAtMs - call.startedAtMs)}]`;
    if (turn.callerText !== "") lines.push(`${at} Caller: ${turn.callerText}`);
    if (turn.agentText !== "")
      lines.push(`${at} Agent: ${turn.agentText}${turn.interrupted ? " [interrupted]" : ""}`);
  }
  for (const message of detail.messages) {
    lines.push(`[${offset(message.atMs - call.startedAtMs)}] Message: ${message.text}`);
  }
  return `${lines.join("\n")}\n`;
}
