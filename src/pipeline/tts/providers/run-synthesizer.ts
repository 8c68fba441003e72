import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError } from "../../../shared/index.js";
import { ProviderError } from "../../base/provider-retry.js";

export interface SynthesizerCommand {
  readonly provider: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Written to the child's stdin (then closed). */
  readonly stdin?: string;
  /** How to install the command, for the error when it is missing. */
  readonly installHint: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** The command writes its WAV to this file (placeholder in `args`) instead of stdout. */
  readonly outputFileArg?: string;
}

/** Like {@link runSynthesizer}, for commands that can only write a file (flite cannot write a socket). */
export async function runSynthesizerToFile(
  c: SynthesizerCommand & { readonly outputFileArg: string },
): Promise<Uint8Array> {
  const path = join(tmpdir(), `ringagent-tts-${process.pid}-${randomBytes(6).toString("hex")}.wav`);
  try {
    await runSynthesizer({ ...c, args: c.args.map((a) => (a === c.outputFileArg ? path : a)) });
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      throw new ProviderError(c.provider, "tts_engine_failed", `${c.command} wrote no audio`, {
        cause: error,
      });
    }
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/** Runs a command-line synthesizer and returns its stdout (a WAV). Killed on abort or timeout. */
export function runSynthesizer(c: SynthesizerCommand): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    if (c.signal.aborted) {
      reject(c.signal.reason ?? new AbortedError(c.provider));
      return;
    }
    const child = spawn(c.command, c.args, { stdio: ["pipe", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: unknown, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.signal.removeEventListener("abort", onAbort);
      if (error !== undefined) reject(error);
      else resolve(value ?? new Uint8Array());
    };
    const onAbort = (): void => {
      child.kill("SIGKILL");
      finish(c.signal.reason ?? new AbortedError(c.provider));
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(
        new ProviderError(c.provider, "tts_timeout", `${c.provider} took too long`, { retryable: true }),
      );
    }, c.timeoutMs);
    c.signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error: NodeJS.ErrnoException) => {
      const missing = error.code === "ENOENT";
      finish(
        new ProviderError(
          c.provider,
          missing ? "tts_engine_missing" : "tts_engine_failed",
          missing ? `${c.command} is not installed (${c.installHint})` : `${c.command} could not run`,
          { cause: error },
        ),
      );
    });
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("close", (code) => {
      if (code === 0) finish(undefined, new Uint8Array(Buffer.concat(chunks)));
      else finish(new ProviderError(c.provider, "tts_engine_failed", `${c.command} exited with ${code}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(c.stdin ?? "");
  });
}
