/**
 * `ringagent call <target> --line NAME --play file.wav --record out.wav`: places one call from a
 * line, plays the file (then hangs up), records what the other side says, and prints the outcome.
 * The CLI parses arguments and builds the CallManager; this does the call.
 */
import { sleep } from "../../shared/index.js";
import type { CallEndReason, CallManager, OutboundOutcome } from "../../telephony/index.js";
import { recordCall } from "./playback-agent.js";
import { readWavFrames } from "./wav-frames.js";

export interface CallCommandOptions {
  readonly target: string;
  /** Line to call from (default: the first line). */
  readonly line?: string | undefined;
  readonly play?: string | undefined;
  readonly record?: string | undefined;
  readonly ringTimeoutMs?: number | undefined;
  /** Hang up after this long at most (default 60 s; with --play: when playback ends + `tailMs`). */
  readonly maxDurationMs?: number | undefined;
  /** After --play ends, keep listening this long before hanging up (default 1000 ms). */
  readonly tailMs?: number | undefined;
}

export interface CallCommandResult {
  /** 0 answered, 1 not answered (busy, no answer, rejected, failed). */
  readonly exitCode: number;
  readonly outcome: OutboundOutcome["kind"];
  readonly status?: number;
  readonly setupMs?: number;
  readonly endReason?: CallEndReason;
}

export async function runCallCommand(
  manager: CallManager,
  options: CallCommandOptions,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<CallCommandResult> {
  const line = options.line ?? manager.lineNames()[0];
  if (line === undefined) {
    print("call: no line is configured");
    return { exitCode: 2, outcome: "failed" };
  }
  // Read the file before dialling so a bad file fails fast, not mid-call.
  const frames = options.play === undefined ? undefined : await readWavFrames(options.play);
  print(`call: dialling from line ${line}`);
  const outcome = await manager.call(line, options.target, {
    ...(options.ringTimeoutMs !== undefined ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
  });
  if (outcome.kind !== "answered") {
    print(`call: ${outcome.kind.replace("_", " ")} (SIP ${outcome.status})`);
    return { exitCode: 1, outcome: outcome.kind, status: outcome.status };
  }
  const { call } = outcome;
  print(`call: answered in ${Math.round(outcome.setupMs)} ms${outcome.earlyMedia ? " (early media)" : ""}`);
  const recording = options.record === undefined ? undefined : recordCall(call, options.record);
  const maxMs = options.maxDurationMs ?? 60_000;
  const stop = new AbortController();
  const deadline = sleep(manager.clock, maxMs, stop.signal).then(
    () => "deadline" as const,
    () => "stopped" as const,
  );
  if (frames !== undefined) {
    const handle = call.audio.play(frames);
    const first = await Promise.race([handle.finished.then(() => "played" as const), call.ended, deadline]);
    if (first === "played") {
      await Promise.race([
        sleep(manager.clock, options.tailMs ?? 1000, stop.signal).catch(() => undefined),
        call.ended,
      ]);
    }
  } else {
    await Promise.race([call.ended, deadline]);
  }
  stop.abort();
  if (call.state !== "ended") await call.hangup();
  const endReason = await call.ended;
  await recording;
  print(`call: ended (${endReason.kind})${options.record ? `, recorded to ${options.record}` : ""}`);
  return { exitCode: 0, outcome: "answered", setupMs: outcome.setupMs, endReason };
}
