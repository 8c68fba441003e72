import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { RingagentError } from "../../../../shared/index.js";
import { onnxElemType, writeOnnxModel } from "../../../testing/onnx-model-writer.js";
import { readOnnxMetadata } from "./onnx-metadata-reader.js";
import { resolveSherpaModel } from "./sherpa-onnx-model.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-model-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A one-node ONNX file with this metadata (only its metadata matters to detection). */
function onnx(metadata: Record<string, string>): Uint8Array {
  return writeOnnxModel({
    opsetVersion: 13,
    nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
    initializers: [{ name: "big", dims: [300], floats: Array.from({ length: 300 }, (_, i) => i) }],
    inputs: [{ name: "x", elemType: onnxElemType.float, shape: ["N", 80] }],
    outputs: [{ name: "y", elemType: onnxElemType.float, shape: ["N", 80] }],
    metadata,
  });
}

function folder(name: string, files: Record<string, Record<string, string> | string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(join(dir, file), typeof content === "string" ? content : onnx(content));
  }
  return dir;
}

const tokens = "<blk> 0\na 1\n";
const streamingEncoder = { model_type: "zipformer2", T: "45", decode_chunk_len: "32" };

describe("ONNX metadata reader", () => {
  test("reads metadata_props written after a graph with initializers", () => {
    const dir = folder("meta", { "m.onnx": { vocab_size: "500", comment: "ünïcode ✓" } });
    const meta = readOnnxMetadata(join(dir, "m.onnx"));
    assert.deepEqual(Object.fromEntries(meta), { vocab_size: "500", comment: "ünïcode ✓" });
  });

  test("a truncated or foreign file is a typed error", () => {
    const whole = onnx({ vocab_size: "500" });
    const dir = folder("bad", { "cut.onnx": "", "text.onnx": "not a model\n" });
    writeFileSync(join(dir, "cut.onnx"), whole.subarray(0, whole.length - 7));
    for (const f of ["cut.onnx", "text.onnx"]) {
      assert.throws(
        () => readOnnxMetadata(join(dir, f)),
        (e: unknown) => e instanceof RingagentError && e.code === "stt_sherpa_model_invalid",
      );
    }
  });
});

describe("sherpa-onnx model type from the folder", () => {
  test("encoder/decoder/joiner with streaming keys: an online transducer, int8 files preferred", () => {
    const dir = folder("online-transducer", {
      "tokens.txt": tokens,
      "encoder-epoch-99-avg-1.onnx": streamingEncoder,
      "encoder-epoch-99-avg-1.int8.onnx": streamingEncoder,
      "decoder-epoch-99-avg-1.onnx": { context_size: "2" },
      "joiner-epoch-99-avg-1.int8.onnx": {},
      "README.md": "x",
    });
    const model = resolveSherpaModel({ modelDir: dir, numThreads: 2 });
    assert.equal(model.type, "online-transducer");
    assert.equal(model.streaming, true);
    assert.deepEqual(model.config.modelConfig.transducer, {
      encoder: join(dir, "encoder-epoch-99-avg-1.int8.onnx"),
      decoder: join(dir, "decoder-epoch-99-avg-1.onnx"),
      joiner: join(dir, "joiner-epoch-99-avg-1.int8.onnx"),
    });
    assert.equal(model.config.modelConfig.numThreads, 2);
    assert.equal(model.config.modelConfig.tokens, join(dir, "tokens.txt"));
  });

  test("a transducer without streaming keys is offline; modelType overrides", () => {
    const dir = folder("offline-transducer", {
      "tokens.txt": tokens,
      "encoder.onnx": { model_type: "zipformer2" },
      "decoder.onnx": {},
      "joiner.onnx": {},
    });
    assert.equal(resolveSherpaModel({ modelDir: dir }).type, "offline-transducer");
    assert.equal(resolveSherpaModel({ modelDir: dir, modelType: "online-transducer" }).streaming, true);
    assert.throws(
      () => resolveSherpaModel({ modelDir: dir, modelType: "offline-nemo-ctc" }),
      /holds a transducer/,
    );
  });

  test("single-file CTC models by their metadata", () => {
    const zip = folder("zip-ctc", { "tokens.txt": tokens, "ctc-epoch-20.onnx": streamingEncoder });
    assert.equal(resolveSherpaModel({ modelDir: zip }).type, "online-zipformer2-ctc");
    const nemo = folder("nemo-ctc", {
      "tokens.txt": tokens,
      "model.onnx": { vocab_size: "129", subsampling_factor: "8", normalize_type: "per_feature" },
      "model.int8.onnx": { vocab_size: "129", subsampling_factor: "8", normalize_type: "per_feature" },
    });
    const model = resolveSherpaModel({ modelDir: nemo });
    assert.equal(model.type, "offline-nemo-ctc");
    assert.deepEqual(model.config.modelConfig.nemoCtc, { model: join(nemo, "model.int8.onnx") });
  });

  test("ambiguous or unknown folders name the problem and the fix", () => {
    const cases: [string, Record<string, Record<string, string> | string>, RegExp][] = [
      ["two-models", { "tokens.txt": tokens, "a.onnx": {}, "b.onnx": {} }, /cannot tell which \.onnx file/],
      [
        "two-encoders",
        { "tokens.txt": tokens, "encoder-a.onnx": {}, "encoder-b.onnx": {} },
        /several encoder/,
      ],
      ["whisper", { "tokens.txt": tokens, "model.onnx": { model_type: "whisper" } }, /set stt\.modelType/],
    ];
    for (const [name, files, pattern] of cases) {
      assert.throws(
        () => resolveSherpaModel({ modelDir: folder(name, files) }),
        (e: unknown) =>
          e instanceof RingagentError &&
          e.code === "stt_sherpa_model_invalid" &&
          pattern.test(e.message) &&
          /stt\.modelDir/.test(e.message),
      );
    }
  });
});
