import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, redact } from "./logging.js";

function captureLogger() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger({ level: "trace", destination });
  return { logger, output: () => chunks.join("") };
}

const secrets = {
  password: "sip-pass-7731",
  clientSecret: "rc-client-secret-55",
  jwt: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln",
  accessToken: "U1BCMDFUMDRQQVMwMHxBQUJ",
  refresh_token: "refresh-9917",
  authorization: 'Digest username="agent", response="6629fae49393a05397450978507c4ef1"',
  apiKey: "sk-test-abcdef",
};
const pii = {
  phoneNumber: "+16505551234",
  from: "sip:+16505551234@sip.ringcentral.com",
  transcript: "my card number is four four four",
  digits: "4111",
  callerText: "please call me back at 555 0100",
};

test("secrets and caller PII never reach log output, at any depth", () => {
  const { logger, output } = captureLogger();
  logger.info({ ...secrets, ...pii }, "top level");
  logger.warn(
    { line: { name: "main", ringcentral: { ...secrets } }, call: { turns: [{ ...pii }] } },
    "nested",
  );
  logger.error(
    {
      err: Object.assign(new Error("registration failed"), { code: "sip_auth" }),
      sip: { password: secrets.password },
    },
    "error",
  );
  logger.debug(
    { headers: { Authorization: secrets.authorization, "Proxy-Authorization": secrets.authorization } },
    "headers",
  );
  const text = output();
  for (const value of [...Object.values(secrets), ...Object.values(pii)]) {
    assert.ok(!text.includes(value), `log output contains ${value}`);
  }
  assert.equal(text.trim().split("\n").length, 4);
  assert.match(text, /"\[redacted\]"/);
  assert.match(text, /"line":\{"name":"main"/, "non-secret fields are kept");
  assert.match(text, /registration failed/, "error messages are kept");
});

test("redact handles cycles, arrays and buffers without throwing", () => {
  const node: Record<string, unknown> = { name: "x", password: "p" };
  node.self = node;
  const out = redact({ list: [node], buf: Buffer.alloc(5) }) as {
    list: Array<Record<string, unknown>>;
    buf: string;
  };
  assert.equal(out.list[0]?.password, "[redacted]");
  assert.equal(out.list[0]?.self, "[circular]");
  assert.equal(out.buf, "[5 bytes]");
});
