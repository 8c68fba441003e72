/** Shared set-up for the HTTP tests: a real SQLite store with one finished call, a fake controller. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createHttpServer,
  createMetrics,
  type HttpServer,
  type HttpServerOptions,
  type LiveCallActionResult,
  type LiveCallController,
  type ReadinessCheck,
} from "../../src/http/index.js";
import { newId } from "../../src/shared/index.js";
import { encodeWav, SqliteCallStore } from "../../src/store/index.js";

export const token = "test-token-0123456789";
export const t0 = 1_760_000_000_000;

export interface Fixture {
  dir: string;
  recordingsDir: string;
  store: SqliteCallStore;
  endedId: string;
  liveId: string;
  recordingBytes: Buffer;
  controller: FakeController;
  readiness: { checks: ReadinessCheck[] };
  server(overrides?: Partial<HttpServerOptions>): HttpServer;
  cleanup(): Promise<void>;
}

export class FakeController implements LiveCallController {
  readonly actions: string[] = [];
  result: LiveCallActionResult = { ok: true };

  async hangUp(callId: string): Promise<LiveCallActionResult> {
    this.actions.push(`hangup ${callId}`);
    return this.result;
  }

  async transfer(callId: string, target: string): Promise<LiveCallActionResult> {
    this.actions.push(`transfer ${callId} ${target}`);
    return this.result;
  }
}

export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-http-"));
  const recordingsDir = join(dir, "recordings");
  mkdirSync(recordingsDir);
  const store = SqliteCallStore.open({ path: join(dir, "calls.sqlite") });
  const endedId = newId();
  const liveId = newId();
  const samples = Int16Array.from({ length: 8_000 }, (_, i) => (i * 97) % 20_000);
  const recordingBytes = encodeWav({ channels: 2, sampleRateHz: 8_000 }, samples);
  const recordingPath = join(recordingsDir, `${endedId}.wav`);
  writeFileSync(recordingPath, recordingBytes);
  const base = {
    instance: "host-a",
    agent: "receptionist",
    direction: "inbound" as const,
    from: "+15550100",
    to: "+15550199",
  };
  await store.insertCall({ ...base, id: endedId, line: "main", startedAtMs: t0 });
  await store.appendTurn({
    callId: endedId,
    index: 0,
    startedAtMs: t0 + 1_200,
    callerText: "I want a refund",
    agentText: "Let me transfer you",
    interrupted: true,
    latency: {
      endpointingMs: 300,
      sttFinalMs: 100,
      llmFirstTokenMs: 400,
      ttsFirstAudioMs: 80,
      wireToWireMs: 900,
    },
  });
  await store.appendEvent({ callId: endedId, atMs: t0 + 5_000, type: "transfer", data: { target: "sales" } });
  await store.updateCall(endedId, {
    status: "ended",
    outcome: "transferred",
    endedAtMs: t0 + 6_000,
    recordingPath,
    recordingDurationMs: 1_000,
  });
  await store.insertCall({ ...base, id: liveId, line: "trunk", startedAtMs: t0 + 60_000 });
  const controller = new FakeController();
  const readiness = { checks: [{ name: "line main", ok: true }] as ReadinessCheck[] };
  const servers: HttpServer[] = [];
  return {
    dir,
    recordingsDir,
    store,
    endedId,
    liveId,
    recordingBytes,
    controller,
    readiness,
    server(overrides = {}) {
      const server = createHttpServer({
        listen: "127.0.0.1:0",
        token,
        store,
        calls: controller,
        readiness: async () => readiness.checks,
        registry: createMetrics({ processMetrics: false }).registry,
        recordingsDir,
        ...overrides,
      });
      servers.push(server);
      return server;
    },
    async cleanup() {
      for (const server of servers) await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = { authorization: `Bearer ${token}` };
