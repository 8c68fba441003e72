/**
 * Tiny CTC models for sherpa-onnx, made at test time (no downloaded weights): an offline "NeMo CTC"
 * and a streaming "zipformer2 CTC", graphs of a few standard operators whose output depends on the
 * audio, so tests run the real recognizer end to end. sherpa-onnx feeds them 80 log-mel bins per
 * 10 ms frame; per frame the model takes the loudest bin below and above mel bin 40 (about
 * 1.8 kHz) and scores
 *   <blk>: 0,   "▁yes": lowMax - threshold,   "▁no": highMax - threshold
 * so a loud low tone (e.g. 440 Hz) reads "yes", a loud high tone (e.g. 3 kHz) "no", silence nothing,
 * and the CTC decoder turns tone bursts into words ("yes no yes"). Log-mel of digital silence is
 * about -15.9 and of a 0.3-amplitude tone well above -5, hence the default threshold -8.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type OnnxNode, type OnnxTensor, onnxElemType, writeOnnxModel } from "./onnx-model-writer.js";

export const tinyCtcWords = { lowToneHz: 440, highToneHz: 3000, low: "yes", high: "no" } as const;

export interface TinyCtcModelOptions {
  readonly threshold?: number;
  /** Leave out a metadata key sherpa-onnx requires (to test the broken-model error). */
  readonly omitMetadata?: string;
}

export const int64Tensor = (name: string, values: number[]): OnnxTensor => ({
  name,
  dims: [values.length],
  int64s: values,
});

/** [N, T, 80] log-mel frames (value `frames`) -> [N, T, 2] loudest bin below/above mel bin 40 (`both`). */
export function bandMaxima(): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  return {
    nodes: [
      { opType: "Slice", inputs: ["frames", "lowStart", "mid", "bins"], outputs: ["low"] },
      { opType: "Slice", inputs: ["frames", "mid", "highEnd", "bins"], outputs: ["high"] },
      ...(["low", "high"] as const).map((part) => ({
        opType: "ReduceMax",
        inputs: [part],
        outputs: [`${part}Max`],
        attributes: [
          { name: "axes", ints: [2] },
          { name: "keepdims", int: 1 },
        ],
      })),
      {
        opType: "Concat",
        inputs: ["lowMax", "highMax"],
        outputs: ["both"],
        attributes: [{ name: "axis", int: 2 }],
      },
    ],
    initializers: [
      int64Tensor("lowStart", [0]),
      int64Tensor("mid", [40]),
      int64Tensor("highEnd", [80]),
      int64Tensor("bins", [2]),
    ],
  };
}

/** [N, T, 80] log-mel frames (value `frames`) -> [N, T, 3] CTC log-probs (value `logprobs`). */
function scoring(threshold: number): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  const bands = bandMaxima();
  return {
    nodes: [
      ...bands.nodes,
      // [N, T, 2] x W (2x3) + b -> log-softmax over the 3 tokens.
      { opType: "MatMul", inputs: ["both", "w"], outputs: ["scores"] },
      { opType: "Add", inputs: ["scores", "b"], outputs: ["logits"] },
      {
        opType: "LogSoftmax",
        inputs: ["logits"],
        outputs: ["logprobs"],
        attributes: [{ name: "axis", int: -1 }],
      },
    ],
    initializers: [
      ...bands.initializers,
      { name: "w", dims: [2, 3], floats: [0, 1, 0, 0, 0, 1] },
      { name: "b", dims: [3], floats: [0, -threshold, -threshold] },
    ],
  };
}

export function writeTinyTokens(dir: string): void {
  writeFileSync(join(dir, "tokens.txt"), `<blk> 0\n▁${tinyCtcWords.low} 1\n▁${tinyCtcWords.high} 2\n`);
}

/** Writes an offline NeMo CTC model.onnx and tokens.txt into `dir` (created if needed); returns `dir`. */
export function writeTinyCtcModel(dir: string, options: TinyCtcModelOptions = {}): string {
  const metadata: Record<string, string> = {
    vocab_size: "3",
    subsampling_factor: "1",
    normalize_type: "",
  };
  if (options.omitMetadata !== undefined) delete metadata[options.omitMetadata];
  const { nodes, initializers } = scoring(options.threshold ?? -8);
  const model = writeOnnxModel({
    opsetVersion: 13,
    // NeMo models take [N, 80, T].
    nodes: [
      {
        opType: "Transpose",
        inputs: ["audio_signal"],
        outputs: ["frames"],
        attributes: [{ name: "perm", ints: [0, 2, 1] }],
      },
      ...nodes,
    ],
    initializers,
    inputs: [
      { name: "audio_signal", elemType: onnxElemType.float, shape: ["N", 80, "T"] },
      { name: "length", elemType: onnxElemType.int64, shape: ["N"] },
    ],
    outputs: [{ name: "logprobs", elemType: onnxElemType.float, shape: ["N", "T", 3] }],
    metadata,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), model);
  writeTinyTokens(dir);
  return dir;
}

/** Frames per chunk of the streaming model (160 ms; no lookahead: chunk length = chunk shift). */
export const tinyStreamingChunkFrames = 16;

/**
 * Writes a streaming zipformer2 CTC model.onnx and tokens.txt into `dir`: the same scoring on
 * [N, T=16, 80] chunks, with the two states a zipformer2 with no encoder layers carries (the
 * [N, 128, 3, 19] embedding cache and the processed-frame count) passed through unchanged.
 */
export function writeTinyStreamingCtcModel(
  dir: string,
  options: Pick<TinyCtcModelOptions, "threshold"> = {},
): string {
  const { nodes, initializers } = scoring(options.threshold ?? -8);
  const chunk = String(tinyStreamingChunkFrames);
  const model = writeOnnxModel({
    opsetVersion: 13,
    nodes: [
      { opType: "Identity", inputs: ["x"], outputs: ["frames"] },
      ...nodes,
      { opType: "Identity", inputs: ["cached_embed_left_pad"], outputs: ["new_cached_embed_left_pad"] },
      { opType: "Identity", inputs: ["processed_lens"], outputs: ["new_processed_lens"] },
    ],
    initializers,
    inputs: [
      { name: "x", elemType: onnxElemType.float, shape: ["N", tinyStreamingChunkFrames, 80] },
      { name: "cached_embed_left_pad", elemType: onnxElemType.float, shape: ["N", 128, 3, 19] },
      { name: "processed_lens", elemType: onnxElemType.int64, shape: ["N"] },
    ],
    outputs: [
      { name: "logprobs", elemType: onnxElemType.float, shape: ["N", tinyStreamingChunkFrames, 3] },
      { name: "new_cached_embed_left_pad", elemType: onnxElemType.float, shape: ["N", 128, 3, 19] },
      { name: "new_processed_lens", elemType: onnxElemType.int64, shape: ["N"] },
    ],
    metadata: {
      model_type: "zipformer2",
      encoder_dims: "4",
      query_head_dims: "1",
      value_head_dims: "1",
      num_heads: "1",
      num_encoder_layers: "0",
      cnn_module_kernels: "3",
      left_context_len: "1",
      T: chunk,
      decode_chunk_len: chunk,
    },
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), model);
  writeTinyTokens(dir);
  return dir;
}
