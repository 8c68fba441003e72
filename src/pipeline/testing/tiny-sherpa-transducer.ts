/**
 * A tiny streaming zipformer2 *transducer* for sherpa-onnx (encoder, decoder, joiner), made at test
 * time like tiny-sherpa-model.ts. A transducer emits a token per frame without collapsing repeats,
 * so the encoder scores tone *onsets*: per 10 ms frame s = bandMax - threshold (low and high band),
 * onset(t) = min(s(t), s(t-1), s(t-2), s(t-3), -s(t-4)) > 0 only on a tone's 4th loud frame. The
 * last 4 rows of s cross to the next chunk in the state sherpa-onnx carries for the encoder's
 * embedding cache ([N, 128, 3, 19], stored as s + 10 so that the all-zero initial state is silence). The decoder's output is
 * zero and the joiner adds it to the encoder's [blank 0, "▁yes" onsetLow, "▁no" onsetHigh] scores,
 * so a low tone reads "yes" and a high tone "no", once per tone.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onnxElemType, writeOnnxModel } from "./onnx-model-writer.js";
import { bandMaxima, int64Tensor, tinyStreamingChunkFrames, writeTinyTokens } from "./tiny-sherpa-model.js";

const float = onnxElemType.float;
const int64 = onnxElemType.int64;
/** Offset of the carried s (the initial zero state means s_prev = -10: silence). */
const carryOffset = 10;
/**
 * Loud frames in a row before a tone counts (the click of a tone's abrupt start or end is loud in
 * every band for up to 3 frames of 25 ms windows at a 10 ms shift; a tone is longer).
 */
const held = 4;

/**
 * The six states of the encoder's one layer, passed through. sherpa-onnx's transducer takes the
 * batch size from the first state's dim 1, so a transducer needs at least one layer (the CTC model
 * does not: it decodes one stream at a time). Shapes from the metadata below (dims 4, heads 1).
 */
const layerStates: [string, (number | string)[]][] = [
  ["cached_key_0", [1, "N", 1]],
  ["cached_nonlin_attn_0", [1, "N", 1, 3]],
  ["cached_val1_0", [1, "N", 1]],
  ["cached_val2_0", [1, "N", 1]],
  ["cached_conv1_0", ["N", 4, 1]],
  ["cached_conv2_0", ["N", 4, 1]],
];

function encoder(threshold: number): Uint8Array {
  const t = tinyStreamingChunkFrames;
  const bands = bandMaxima();
  const cache = [1, 128, 3, 19];
  return writeOnnxModel({
    opsetVersion: 13,
    nodes: [
      { opType: "Identity", inputs: ["x"], outputs: ["frames"] },
      ...bands.nodes,
      { opType: "Sub", inputs: ["both", "threshold"], outputs: ["s"] },
      // The previous chunk's last `held` rows of s, from the carried state: [N, 1, 1, 2*held].
      {
        opType: "Slice",
        inputs: ["cached_embed_left_pad", "zeros3", "carryEnds", "carryAxes"],
        outputs: ["carried"],
      },
      { opType: "Reshape", inputs: ["carried", "rowsShape"], outputs: ["carriedRows"] },
      { opType: "Sub", inputs: ["carriedRows", "offset"], outputs: ["before"] },
      { opType: "Concat", inputs: ["before", "s"], outputs: ["ext"], attributes: [{ name: "axis", int: 1 }] },
      // ext[k : k + t] is s shifted back by held - k frames.
      ...Array.from({ length: held + 1 }, (_, k) => ({
        opType: "Slice",
        inputs: ["ext", `start${k}`, `end${k}`, "timeAxis"],
        outputs: [`shift${held - k}`],
      })),
      { opType: "Neg", inputs: [`shift${held}`], outputs: ["quietBefore"] },
      {
        opType: "Min",
        inputs: [...Array.from({ length: held }, (_, k) => `shift${k}`), "quietBefore"],
        outputs: ["onset"],
      },
      { opType: "MatMul", inputs: ["onset", "w"], outputs: ["encoder_out"] },
      // Carry the chunk's last `held` rows (+ offset) in the cache state.
      { opType: "Slice", inputs: ["s", "tailStart", "chunkEnd", "timeAxis"], outputs: ["sTail"] },
      { opType: "Add", inputs: ["sTail", "offset"], outputs: ["carryRows"] },
      { opType: "Reshape", inputs: ["carryRows", "cellShape"], outputs: ["carryCell"] },
      { opType: "Pad", inputs: ["carryCell", "pads"], outputs: ["new_cached_embed_left_pad"] },
      { opType: "Identity", inputs: ["processed_lens"], outputs: ["new_processed_lens"] },
      ...layerStates.map(([name]) => ({ opType: "Identity", inputs: [name], outputs: [`new_${name}`] })),
    ],
    initializers: [
      ...bands.initializers,
      { name: "threshold", dims: [1], floats: [threshold] },
      { name: "offset", dims: [1], floats: [carryOffset] },
      { name: "w", dims: [2, 3], floats: [0, 1, 0, 0, 0, 1] },
      int64Tensor("zeros3", [0, 0, 0]),
      int64Tensor("carryEnds", [1, 1, 2 * held]),
      int64Tensor("carryAxes", [1, 2, 3]),
      int64Tensor("rowsShape", [-1, held, 2]),
      int64Tensor("cellShape", [-1, 1, 1, 2 * held]),
      ...Array.from({ length: held + 1 }, (_, k) => [
        int64Tensor(`start${k}`, [k]),
        int64Tensor(`end${k}`, [k + t]),
      ]).flat(),
      int64Tensor("tailStart", [t - held]),
      int64Tensor("chunkEnd", [t]),
      int64Tensor("timeAxis", [1]),
      int64Tensor("pads", [0, 0, 0, 0, 0, 127, 2, 19 - 2 * held]),
    ],
    inputs: [
      { name: "x", elemType: float, shape: ["N", t, 80] },
      ...layerStates.map(([name, shape]) => ({ name, elemType: float, shape })),
      { name: "cached_embed_left_pad", elemType: float, shape: ["N", ...cache.slice(1)] },
      { name: "processed_lens", elemType: int64, shape: ["N"] },
    ],
    outputs: [
      { name: "encoder_out", elemType: float, shape: ["N", t, 3] },
      ...layerStates.map(([name, shape]) => ({ name: `new_${name}`, elemType: float, shape })),
      { name: "new_cached_embed_left_pad", elemType: float, shape: ["N", ...cache.slice(1)] },
      { name: "new_processed_lens", elemType: int64, shape: ["N"] },
    ],
    metadata: {
      model_type: "zipformer2",
      encoder_dims: "4",
      query_head_dims: "1",
      value_head_dims: "1",
      num_heads: "1",
      num_encoder_layers: "1",
      cnn_module_kernels: "3",
      left_context_len: "1",
      T: String(t),
      decode_chunk_len: String(t),
    },
  });
}

/** The offline encoder: the same onset scoring over a whole utterance ([N, T, 80] + lengths). */
function offlineEncoder(threshold: number): Uint8Array {
  const bands = bandMaxima();
  const last = Number.MAX_SAFE_INTEGER;
  return writeOnnxModel({
    opsetVersion: 13,
    nodes: [
      { opType: "Identity", inputs: ["x"], outputs: ["frames"] },
      ...bands.nodes,
      { opType: "Sub", inputs: ["both", "threshold"], outputs: ["s"] },
      // `held` rows of silence before the first frame.
      { opType: "Pad", inputs: ["s", "pads", "quiet"], outputs: ["ext"] },
      ...Array.from({ length: held + 1 }, (_, k) => ({
        opType: "Slice",
        inputs: ["ext", `start${k}`, `end${k}`, "timeAxis"],
        outputs: [`shift${held - k}`],
      })),
      { opType: "Neg", inputs: [`shift${held}`], outputs: ["quietBefore"] },
      {
        opType: "Min",
        inputs: [...Array.from({ length: held }, (_, k) => `shift${k}`), "quietBefore"],
        outputs: ["onset"],
      },
      { opType: "MatMul", inputs: ["onset", "w"], outputs: ["encoder_out"] },
      { opType: "Identity", inputs: ["x_lens"], outputs: ["encoder_out_lens"] },
    ],
    initializers: [
      ...bands.initializers,
      { name: "threshold", dims: [1], floats: [threshold] },
      { name: "quiet", dims: [], floats: [-carryOffset] },
      { name: "w", dims: [2, 3], floats: [0, 1, 0, 0, 0, 1] },
      int64Tensor("pads", [0, held, 0, 0, 0, 0]),
      ...Array.from({ length: held + 1 }, (_, k) => [
        int64Tensor(`start${k}`, [k]),
        int64Tensor(`end${k}`, [k === held ? last : k - held]),
      ]).flat(),
      int64Tensor("timeAxis", [1]),
    ],
    inputs: [
      { name: "x", elemType: float, shape: ["N", "T", 80] },
      { name: "x_lens", elemType: int64, shape: ["N"] },
    ],
    outputs: [
      { name: "encoder_out", elemType: float, shape: ["N", "T", 3] },
      { name: "encoder_out_lens", elemType: int64, shape: ["N"] },
    ],
    // sherpa-onnx picks the offline recognizer by this key (icefall's exports set it).
    metadata: { model_type: "zipformer2" },
  });
}

function decoder(): Uint8Array {
  return writeOnnxModel({
    opsetVersion: 13,
    nodes: [
      { opType: "Cast", inputs: ["y"], outputs: ["yf"], attributes: [{ name: "to", int: float }] },
      { opType: "MatMul", inputs: ["yf", "zero"], outputs: ["decoder_out"] },
    ],
    initializers: [{ name: "zero", dims: [1, 3], floats: [0, 0, 0] }],
    inputs: [{ name: "y", elemType: int64, shape: ["N", 1] }],
    outputs: [{ name: "decoder_out", elemType: float, shape: ["N", 3] }],
    metadata: { vocab_size: "3", context_size: "1" },
  });
}

function joiner(): Uint8Array {
  return writeOnnxModel({
    opsetVersion: 13,
    nodes: [{ opType: "Add", inputs: ["encoder_out", "decoder_out"], outputs: ["logit"] }],
    inputs: [
      { name: "encoder_out", elemType: float, shape: ["N", 3] },
      { name: "decoder_out", elemType: float, shape: ["N", 3] },
    ],
    outputs: [{ name: "logit", elemType: float, shape: ["N", 3] }],
  });
}

/** Writes encoder.onnx, decoder.onnx, joiner.onnx and tokens.txt into `dir`; returns `dir`. */
export function writeTinyStreamingTransducer(
  dir: string,
  options: { readonly threshold?: number } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "encoder.onnx"), encoder(options.threshold ?? -8));
  writeFileSync(join(dir, "decoder.onnx"), decoder());
  writeFileSync(join(dir, "joiner.onnx"), joiner());
  writeTinyTokens(dir);
  return dir;
}

/** Writes an offline transducer (encoder.onnx without streaming metadata, decoder, joiner, tokens). */
export function writeTinyOfflineTransducer(
  dir: string,
  options: { readonly threshold?: number } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "encoder.onnx"), offlineEncoder(options.threshold ?? -8));
  writeFileSync(join(dir, "decoder.onnx"), decoder());
  writeFileSync(join(dir, "joiner.onnx"), joiner());
  writeTinyTokens(dir);
  return dir;
}
