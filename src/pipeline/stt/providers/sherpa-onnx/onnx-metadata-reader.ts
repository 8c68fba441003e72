/**
 * Reads the custom metadata (`ModelProto.metadata_props`, field 14) of an `.onnx` file without
 * loading the model: a walk over the top-level protobuf fields that skips the graph by its length.
 * sherpa-onnx finds a model's kind and shape in this metadata, and it ends the whole process
 * (`_Exit`) when a key it needs is missing, so we read it first to pick the model type and to report
 * a broken model as a typed error.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { RingagentError } from "../../../../shared/index.js";

/** Reads bytes of a file on demand (models can be hundreds of MB; only the headers are read). */
class FileCursor {
  readonly #fd: number;
  readonly #size: number;
  #at = 0;

  constructor(fd: number) {
    this.#fd = fd;
    this.#size = fstatSync(fd).size;
  }

  get at(): number {
    return this.#at;
  }

  /** Moves past `n` bytes (a protobuf field we do not read, e.g. the graph). */
  advance(n: number): void {
    if (this.#at + n > this.#size) throw new Error("truncated");
    this.#at += n;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    const read = readSync(this.#fd, out, 0, n, this.#at);
    if (read !== n) throw new Error("truncated");
    this.#at += n;
    return out;
  }

  /** A varint, or undefined at the end of the file. */
  varint(): number | undefined {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = Buffer.alloc(1);
      if (readSync(this.#fd, b, 0, 1, this.#at) !== 1) {
        if (i === 0) return undefined;
        throw new Error("truncated varint");
      }
      this.#at += 1;
      const byte = b[0] ?? 0;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Error("varint too long");
  }
}

/** Decodes a StringStringEntryProto (key=1, value=2) from its bytes. */
function entryOf(bytes: Buffer): [string, string] {
  let key = "";
  let value = "";
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++] ?? 0;
    let length = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error("truncated entry");
      length += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
    }
    const text = bytes.subarray(at, at + length).toString("utf8");
    at += length;
    if (tag === 0x0a) key = text;
    else if (tag === 0x12) value = text;
  }
  return [key, value];
}

/**
 * The metadata of an ONNX model file. A file that is not a readable ModelProto is a
 * `stt_sherpa_model_invalid` error naming the file.
 */
export function readOnnxMetadata(path: string): ReadonlyMap<string, string> {
  const metadata = new Map<string, string>();
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new RingagentError("stt_sherpa_model_invalid", `cannot read the model file ${path}`, {
      cause: error,
    });
  }
  try {
    const file = new FileCursor(fd);
    for (;;) {
      const tag = file.varint();
      if (tag === undefined) break;
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (wireType === 0) file.varint();
      else if (wireType === 1) file.advance(8);
      else if (wireType === 5) file.advance(4);
      else if (wireType === 2) {
        const length = file.varint() ?? 0;
        if (field === 14) {
          const [key, value] = entryOf(file.bytes(length));
          metadata.set(key, value);
        } else file.advance(length);
      } else throw new Error(`wire type ${wireType} at byte ${file.at}`);
    }
    if (metadata.size === 0 && file.at === 0) throw new Error("empty file");
  } catch (error) {
    throw new RingagentError(
      "stt_sherpa_model_invalid",
      `${path} is not a valid ONNX model (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  } finally {
    closeSync(fd);
  }
  return metadata;
}
