/**
 * The program of the sherpa-onnx worker thread (CommonJS, plain JavaScript: worker threads have no
 * TypeScript loader). It holds the model's recognizer and, per call (`id`), the utterance in
 * progress; it handles the messages of sherpa-onnx-worker.ts in order:
 *   { op: "audio", id, samples }            more audio (16 kHz floats, transferred)
 *   { op: "finalize", id, samples? }        the utterance's last audio; reply with the final result
 *   { op: "close", id }                     forget the call
 * and replies { id, text, final } or { id, error }.
 * Streaming models: each audio batch is decoded at once (a partial when the text changed); at
 * finalize the stream gets `tailSamples` of silence and input-finished, and the next audio starts a
 * new native stream. Offline models: the utterance is kept here; every `partialEverySamples` (when
 * > 0) the utterance so far is decoded for a partial, and at finalize the whole of it for the final.
 * Features are computed here (acceptWaveform) and offline decoding runs on the libuv thread pool
 * (decodeAsync); one promise chain per call keeps a call's partials before its final.
 */
export const sherpaWorkerProgram = `
const { parentPort, workerData } = require("node:worker_threads");
const sherpa = require(workerData.packagePath);
const { config, streaming, tailSamples, partialEverySamples } = workerData;
const rateHz = config.featConfig.sampleRate;
const recognizer = streaming ? new sherpa.OnlineRecognizer(config) : new sherpa.OfflineRecognizer(config);
const tail = new Float32Array(tailSamples);
const calls = new Map();

function reply(id, message) {
  if (calls.has(id)) parentPort.postMessage({ id, ...message });
}

function fail(id, error) {
  reply(id, { error: String((error && error.message) || error) });
  calls.delete(id);
}

// ---------------------------------------------------------------- streaming models
function decodeReady(stream) {
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  return recognizer.getResult(stream).text.trim();
}

function online(call, m) {
  if (m.op === "audio" || m.samples) {
    call.stream = call.stream || recognizer.createStream();
    call.stream.acceptWaveform({ samples: m.samples, sampleRate: rateHz });
  }
  if (m.op === "audio") {
    const text = decodeReady(call.stream);
    if (text.length > 0 && text !== call.last) {
      call.last = text;
      reply(m.id, { text, final: false });
    }
    return;
  }
  let text = "";
  if (call.stream) {
    call.stream.acceptWaveform({ samples: tail, sampleRate: rateHz });
    call.stream.inputFinished();
    text = decodeReady(call.stream);
  }
  call.stream = undefined;
  call.last = "";
  reply(m.id, { text, final: true });
}

// ---------------------------------------------------------------- offline models
function joined(call) {
  const out = new Float32Array(call.samples);
  let at = 0;
  for (const c of call.chunks) {
    out.set(c, at);
    at += c.length;
  }
  call.chunks = [out];
  return out;
}

async function decodeOffline(samples) {
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples, sampleRate: rateHz });
  return (await recognizer.decodeAsync(stream)).text.trim();
}

function then(id, call, step) {
  call.chain = call.chain.then(step).catch((error) => fail(id, error));
}

function offline(call, m) {
  if (m.samples) {
    call.chunks.push(m.samples);
    call.samples += m.samples.length;
    call.sincePartial += m.samples.length;
  }
  const utterance = call.utterance;
  if (m.op === "audio") {
    if (partialEverySamples <= 0 || call.sincePartial < partialEverySamples || call.partialQueued) return;
    call.sincePartial = 0;
    call.partialQueued = true;
    const audio = joined(call);
    then(m.id, call, async () => {
      call.partialQueued = false;
      if (utterance !== call.utterance) return;
      const text = await decodeOffline(audio);
      if (utterance !== call.utterance || text.length === 0 || text === call.last) return;
      call.last = text;
      reply(m.id, { text, final: false });
    });
    return;
  }
  const audio = joined(call);
  call.chunks = [];
  call.samples = 0;
  call.sincePartial = 0;
  call.utterance++;
  then(m.id, call, async () => {
    const text = audio.length === 0 ? "" : await decodeOffline(audio);
    call.last = "";
    reply(m.id, { text, final: true });
  });
}

parentPort.on("message", (m) => {
  if (m.op === "close") {
    calls.delete(m.id);
    return;
  }
  let call = calls.get(m.id);
  if (!call) {
    call = { last: "", chunks: [], samples: 0, sincePartial: 0, utterance: 0, partialQueued: false, chain: Promise.resolve() };
    calls.set(m.id, call);
  }
  try {
    if (streaming) online(call, m);
    else offline(call, m);
  } catch (error) {
    fail(m.id, error);
  }
});
`;
