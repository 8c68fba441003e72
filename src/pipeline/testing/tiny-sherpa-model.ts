/**
 * A tiny "NeMo CTC" model for sherpa-onnx, made at test time (no downloaded weights): a graph of
 * ten standard operators whose output depends on the audio, so tests run the real recognizer end
 * to end. sherpa-onnx feeds it 80 log-mel bins per 10 ms frame ([N, 80, T]); per frame the model
 * takes the loudest bin below and above mel bin 40 (about 1.8 kHz) and scores
 *   <blk>: 0,   "▁yes": lowMax - threshold,   "▁no": highMax - threshold
 * so a loud low tone (e.g. 440 Hz) reads "yes", a loud high tone (e.g. 3 kHz) "no", silence nothing,
 * and the CTC decoder turns tone bursts into words ("yes no yes"). Log-mel of digital silence is
 * about -15.9 and of a 0.3-amplitude tone well above -5, hence the default threshold -8.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onnxElemType, writeOnnxModel } from "./onnx-model-writer.js";

export const tinyCtcWords = { lowToneHz: 440, highToneHz: 3000, low: "yes", high: "no" } as const;

export interface TinyCtcModelOptions {
  readonly threshold?: number;
  /** Leave out a metadata key sherpa-onnx requires (to test the broken-model error). */
  readonly omitMetadata?: string;
}

/** Writes model.onnx and tokens.txt into `dir` (created if needed); returns `dir`. */
export function writeTinyCtcModel(dir: string, options: TinyCtcModelOptions = {}): string {
  const threshold = options.threshold ?? -8;
  const metadata: Record<string, string> = {
    vocab_size: "3",
    subsampling_factor: "1",
    normalize_type: "",
  };
  if (options.omitMetadata !== undefined) delete metadata[options.omitMetadata];
  const int64 = (name: string, values: number[]) => ({ name, dims: [values.length], int64s: values });
  const model = writeOnnxModel({
    opsetVersion: 13,
    nodes: [
      { opType: "Slice", inputs: ["audio_signal", "lowStart", "mid", "bins"], outputs: ["low"] },
      { opType: "Slice", inputs: ["audio_signal", "mid", "highEnd", "bins"], outputs: ["high"] },
      ...(["low", "high"] as const).map((part) => ({
        opType: "ReduceMax",
        inputs: [part],
        outputs: [`${part}Max`],
        attributes: [
          { name: "axes", ints: [1] },
          { name: "keepdims", int: 1 },
        ],
      })),
      // [N, 2, T] -> [N, T, 2] -> x W (2x3) + b -> log-softmax over the 3 tokens.
      {
        opType: "Concat",
        inputs: ["lowMax", "highMax"],
        outputs: ["both"],
        attributes: [{ name: "axis", int: 1 }],
      },
      {
        opType: "Transpose",
        inputs: ["both"],
        outputs: ["frames"],
        attributes: [{ name: "perm", ints: [0, 2, 1] }],
      },
      { opType: "MatMul", inputs: ["frames", "w"], outputs: ["scores"] },
      { opType: "Add", inputs: ["scores", "b"], outputs: ["logits"] },
      {
        opType: "LogSoftmax",
        inputs: ["logits"],
        outputs: ["logprobs"],
        attributes: [{ name: "axis", int: -1 }],
      },
    ],
    initializers: [
      int64("lowStart", [0]),
      int64("mid", [40]),
      int64("highEnd", [80]),
      int64("bins", [1]),
      { name: "w", dims: [2, 3], floats: [0, 1, 0, 0, 0, 1] },
      { name: "b", dims: [3], floats: [0, -threshold, -threshold] },
    ],
    inputs: [
      { name: "audio_signal", elemType: onnxElemType.float, shape: ["N", 80, "T"] },
      { name: "length", elemType: onnxElemType.int64, shape: ["N"] },
    ],
    outputs: [{ name: "logprobs", elemType: onnxElemType.float, shape: ["N", "T", 3] }],
    metadata,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), model);
  writeFileSync(join(dir, "tokens.txt"), `<blk> 0\n▁${tinyCtcWords.low} 1\n▁${tinyCtcWords.high} 2\n`);
  return dir;
}
