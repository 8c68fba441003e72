/**
 * V8 flags the service runs with. The media path is paced on 5 ms sub-ticks, and what breaks its
 * timing is garbage collection: with V8's default young generation (16 MB semi-spaces) the heap
 * that hundreds of calls allocate is collected by a full mark-compact every ~0.5 s (2-10 ms
 * pauses, felt as pacing jitter). With 4 MB semi-spaces the same garbage dies in frequent, short
 * scavenges (<= 3-4 ms at 300 calls) and no mark-compact runs during a call load
 * (bench/media/session-bench.ts measures both). The flags are process flags: bin/ringagent.js
 * carries them in its shebang and scripts/start-agent.sh / `npm start` pass them to node; a test
 * keeps those three in step with this list.
 */
export const runtimeV8Flags = ["--max-semi-space-size=4"] as const;

/** The flags of {@link runtimeV8Flags} this process was not started with. */
export function missingRuntimeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const nodeOptions = (process.env.NODE_OPTIONS ?? "").split(/\s+/);
  return runtimeV8Flags.filter((flag) => !execArgv.includes(flag) && !nodeOptions.includes(flag));
}
