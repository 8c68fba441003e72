import { type Clock, type Logger, sleep } from "../shared/index.js";
import { RateLimitTracker, readRateLimitHeaders, throttlingGroupOf } from "./rate-limit-tracker.js";
import { parseErrorBody, parseRetryAfterS, RingCentralApiError } from "./rc-api-error.js";

/**
 * REST discipline in one place (ringcentral.md 1.5, 8): pace by `X-Rate-Limit-*`, wait out 429
 * (`Retry-After`, else a default), retry 5xx and network failures with backoff and jitter, never
 * retry 400/403/404/409, and turn every failure into a {@link RingCentralApiError}.
 */
export interface RestRetryPolicy {
  /** Attempts for 5xx/network failures (the first included). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long to wait after a 429 without `Retry-After` (RingCentral's penalty is 60 s). */
  readonly defaultRetryAfterMs: number;
  /** A `Retry-After` longer than this fails the request instead of waiting. */
  readonly maxRetryAfterMs: number;
  /** How many 429s one request waits out before giving up. */
  readonly max429Waits: number;
  /** Per-request timeout. */
  readonly requestTimeoutMs: number;
  /** Pacing starts when `X-Rate-Limit-Remaining` is at or below this share of the limit (at least 1). */
  readonly lowRemainingFraction: number;
}

export const defaultRestRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  defaultRetryAfterMs: 60_000,
  maxRetryAfterMs: 180_000,
  max429Waits: 5,
  requestTimeoutMs: 30_000,
  lowRemainingFraction: 0.1,
} as const satisfies RestRetryPolicy;

/** The slice of an axios response the discipline reads. */
export interface RawResponse {
  readonly status: number;
  readonly data: unknown;
  readonly headers: unknown;
}

export interface DisciplineCounters {
  requests: number;
  rateLimited: number;
  serverErrorRetries: number;
  pacedMs: number;
  unauthorizedRefreshes: number;
}

function headersOf(headers: unknown): Record<string, unknown> {
  if (headers === null || typeof headers !== "object") return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

/** The response carried by a thrown `RestException` (or an axios-like error); undefined for network errors. */
function responseOf(error: unknown): RawResponse | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const response = (error as { response?: unknown }).response;
  if (response === null || typeof response !== "object") return undefined;
  const status = (response as { status?: unknown }).status;
  if (typeof status !== "number") return undefined;
  return response as RawResponse;
}

export interface SendOptions {
  /** Called once on a 401 with the failed attempt; when it resolves the request is retried once. */
  readonly onUnauthorized?: () => Promise<void>;
  readonly signal?: AbortSignal;
  /** false: send without client-side pacing (best-effort shutdown calls such as revoke). */
  readonly pace?: boolean;
}

export class RestDiscipline {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #policy: RestRetryPolicy;
  readonly #random: () => number;
  readonly #tracker: RateLimitTracker;
  readonly counters: DisciplineCounters = {
    requests: 0,
    rateLimited: 0,
    serverErrorRetries: 0,
    pacedMs: 0,
    unauthorizedRefreshes: 0,
  };

  constructor(options: {
    clock: Clock;
    logger: Logger;
    policy?: Partial<RestRetryPolicy>;
    random?: () => number;
  }) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#policy = { ...defaultRestRetryPolicy, ...options.policy };
    this.#random = options.random ?? Math.random;
    this.#tracker = new RateLimitTracker({ lowRemainingFraction: this.#policy.lowRemainingFraction });
  }

  get policy(): RestRetryPolicy {
    return this.#policy;
  }

  /** Runs `send` (one HTTP exchange) under the discipline and returns the 2xx response. */
  async run(
    method: string,
    path: string,
    send: (timeoutMs: number) => Promise<RawResponse>,
    options: SendOptions = {},
  ): Promise<RawResponse> {
    const group = throttlingGroupOf(method, path);
    let failures = 0;
    let waits429 = 0;
    let refreshed = false;
    for (;;) {
      // Re-check after every wait: a 429 seen meanwhile by a concurrent request extends the hold.
      for (
        let paceMs = this.#tracker.delayMs(group, this.#clock.nowMs());
        options.pace !== false && paceMs > 0;
      ) {
        this.counters.pacedMs += paceMs;
        this.#logger.debug({ group, paceMs }, "ringcentral: pacing request under the rate limit");
        await sleep(this.#clock, paceMs, options.signal);
        paceMs = this.#tracker.delayMs(group, this.#clock.nowMs());
      }
      this.#tracker.issue(group, this.#clock.nowMs());
      this.counters.requests += 1;
      let response: RawResponse | undefined;
      let thrown: unknown;
      try {
        response = await send(this.#policy.requestTimeoutMs);
      } catch (error) {
        thrown = error;
        response = responseOf(error);
      }
      if (response !== undefined) {
        const observation = readRateLimitHeaders(headersOf(response.headers));
        if (observation !== undefined) this.#tracker.observe(observation, this.#clock.nowMs());
        if (response.status >= 200 && response.status < 300) return response;
      }
      const error = this.#toError(method, path, response, thrown);
      if (error.status === 401 && !refreshed && options.onUnauthorized !== undefined) {
        refreshed = true;
        this.counters.unauthorizedRefreshes += 1;
        await options.onUnauthorized();
        continue;
      }
      if (error.status === 429) {
        this.counters.rateLimited += 1;
        const waitMs =
          error.retryAfterS !== undefined ? error.retryAfterS * 1000 : this.#policy.defaultRetryAfterMs;
        this.#tracker.block(group, waitMs, this.#clock.nowMs());
        if (waits429 >= this.#policy.max429Waits || waitMs > this.#policy.maxRetryAfterMs) throw error;
        waits429 += 1;
        this.#logger.warn(
          { group, waitMs, errorCode: error.errorCode },
          "ringcentral: rate limited, waiting",
        );
        continue; // the tracker holds the next attempt until the penalty ends
      }
      if (error.retryable) {
        failures += 1;
        if (failures >= this.#policy.maxAttempts) throw error;
        this.counters.serverErrorRetries += 1;
        const delayMs = this.#backoffMs(failures, error.retryAfterS);
        this.#logger.warn(
          { status: error.status, errorCode: error.errorCode, delayMs, attempt: failures },
          "ringcentral: request failed, retrying",
        );
        await sleep(this.#clock, delayMs, options.signal);
        continue;
      }
      throw error;
    }
  }

  /** Full-jitter exponential backoff, at least `Retry-After` when the server sent one (503). */
  #backoffMs(failures: number, retryAfterS: number | undefined): number {
    const capMs = Math.min(this.#policy.maxDelayMs, this.#policy.baseDelayMs * 2 ** (failures - 1));
    const jittered = capMs / 2 + (this.#random() * capMs) / 2;
    return Math.max(jittered, (retryAfterS ?? 0) * 1000);
  }

  #toError(
    method: string,
    path: string,
    response: RawResponse | undefined,
    thrown: unknown,
  ): RingCentralApiError {
    if (response === undefined) {
      return new RingCentralApiError({ status: 0, method, path, cause: thrown });
    }
    const parsed = parseErrorBody(response.data);
    return new RingCentralApiError({
      status: response.status,
      method,
      path,
      errorCode: parsed.errorCode,
      oauthError: parsed.oauthError,
      rcMessage: parsed.rcMessage,
      retryAfterS: parseRetryAfterS(headersOf(response.headers)["retry-after"], this.#clock.epochMs()),
    });
  }
}
