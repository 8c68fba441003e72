/**
 * The real-peer test bed (Kamailio, baresip, SIPp, flite, pocketsphinx on 127.0.0.1).
 * Typical use in a test file:
 *   requireTools(); const bed = new TestBed(); after(() => bed.close());
 *   const kam = await bed.kamailio({ tls: true });
 *   const b = await bed.baresip({ name: "b", sourceWav, account: { kind: "register", ... } });
 *   await b.waitRegistered(); await b.ctrl.waitForEvent("CALL_ESTABLISHED");
 * KEEP_BED=1 keeps the temp dir (logs, configs, recordings, SIPp traces) for debugging.
 */
export * from "./baresip.js";
export * from "./baresip-ctrl.js";
export * from "./certs.js";
export * from "./kamailio.js";
export * from "./ports.js";
export * from "./processes.js";
export * from "./sipp.js";
export * from "./speech.js";
export * from "./test-bed.js";
