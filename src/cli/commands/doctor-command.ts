/**
 * `ringagent doctor`: pass/fail lines, each failure with its fix; exit code 1 when anything fails.
 * The checks themselves come from the composition root (they need concrete classes); this file
 * only runs them with a time limit and prints them.
 */
export interface DoctorCheck {
  /** Short name, e.g. "store", "engine pocketsphinx", "line main: registration". */
  name: string;
  run(signal: AbortSignal): Promise<DoctorResult>;
}

export interface DoctorResult {
  status: "pass" | "warn" | "fail";
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

export async function runDoctor(
  checks: readonly DoctorCheck[],
  options: { out: (t: string) => void; timeoutMs?: number },
): Promise<number> {
  let failed = 0;
  for (const check of checks) {
    const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
    let result: DoctorResult;
    try {
      result = await Promise.race([
        check.run(signal),
        new Promise<DoctorResult>((resolve) =>
          signal.addEventListener("abort", () =>
            resolve({
              status: "fail",
              detail: "did not finish in time",
              fix: "check the network path and the service",
            }),
          ),
        ),
      ]);
    } catch (error) {
      result = { status: "fail", detail: error instanceof Error ? error.message : String(error) };
    }
    if (result.status === "fail") failed++;
    const mark = result.status === "pass" ? "PASS" : result.status === "warn" ? "WARN" : "FAIL";
    options.out(`${mark}  ${check.name}: ${result.detail}\n`);
    if (result.fix !== undefined && result.status !== "pass") options.out(`      fix: ${result.fix}\n`);
  }
  options.out(failed === 0 ? "doctor: all checks passed\n" : `doctor: ${failed} check(s) failed\n`);
  return failed === 0 ? 0 : 1;
}
