/** /healthz (the process answers), /readyz (injected readiness checks) and /metrics (Prometheus). */
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { CallStore } from "../store/index.js";
import type { ReadinessCheck, ReadinessProbe } from "./http-types.js";

export const defaultReadinessTimeoutMs = 2_000;

/** A readiness check that the store answers a trivial query. */
export async function storeReadiness(store: CallStore): Promise<ReadinessCheck> {
  try {
    await store.ping();
    return { name: "store", ok: true };
  } catch {
    return { name: "store", ok: false, detail: `the ${store.kind} call store does not answer` };
  }
}

async function runProbe(probe: ReadinessProbe, timeoutMs: number): Promise<readonly ReadinessCheck[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<readonly ReadinessCheck[]>((resolve) => {
    timer = setTimeout(
      () =>
        resolve([{ name: "readiness", ok: false, detail: `checks did not answer within ${timeoutMs} ms` }]),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      probe().catch((): readonly ReadinessCheck[] => [
        { name: "readiness", ok: false, detail: "a check failed" },
      ]),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerOpsRoutes(
  app: FastifyInstance,
  options: { readiness: ReadinessProbe; registry: Registry; readinessTimeoutMs: number },
): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const checks = await runProbe(options.readiness, options.readinessTimeoutMs);
    const failing = checks.filter((c) => !c.ok);
    const reasons = failing.map((c) =>
      c.detail === undefined ? `${c.name}: not ready` : `${c.name}: ${c.detail}`,
    );
    return reply
      .code(failing.length === 0 ? 200 : 503)
      .send({ ready: failing.length === 0, checks, reasons });
  });

  app.get("/metrics", async (_request, reply) =>
    reply.type(options.registry.contentType).send(await options.registry.metrics()),
  );
}
