/**
 * A minimal ONNX ModelProto writer for tests: enough of the protobuf wire format (varints and
 * length-delimited fields, https://protobuf.dev/programming-guides/encoding/) to build small graphs
 * of standard operators with float/int64 initializers, typed inputs/outputs and metadata. Field
 * numbers are those of onnx/onnx.proto3. Not product code: it lets tests make the models that code
 * which loads models runs on, instead of downloading weights.
 */

/** ONNX TensorProto.DataType values used here. */
export const onnxElemType = { float: 1, int64: 7 } as const;
export type OnnxElemType = (typeof onnxElemType)[keyof typeof onnxElemType];

export type OnnxAttribute =
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly float: number };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly floats?: readonly number[];
  readonly int64s?: readonly number[];
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  /** A number is a fixed size, a string a symbolic (dynamic) dimension. */
  readonly shape: readonly (number | string)[];
}

export interface OnnxModel {
  readonly opsetVersion: number;
  readonly nodes: readonly OnnxNode[];
  readonly initializers?: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Protobuf message bytes built field by field. */
class ProtoWriter {
  readonly #parts: Uint8Array[] = [];

  #varint(value: bigint): void {
    // Negative int64 values are 10-byte two's complement varints.
    let v = value < 0n ? value + (1n << 64n) : value;
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.#parts.push(Uint8Array.from(bytes));
  }

  #tag(field: number, wireType: number): void {
    this.#varint(BigInt((field << 3) | wireType));
  }

  int(field: number, value: number): this {
    this.#tag(field, 0);
    this.#varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#parts.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(BigInt(value.length));
    this.#parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const total = this.#parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  // AttributeProto: name=1, f=2, i=3, ints=8, type=20 (FLOAT=1, INT=2, INTS=7).
  w.string(1, a.name);
  if ("ints" in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else if ("int" in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else {
    w.float(2, a.float);
    w.int(20, 1);
  }
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  // TensorProto: dims=1, data_type=2, float_data=4 (packed), int64_data=7, name=8, raw_data=9.
  for (const d of t.dims) w.int(1, d);
  if (t.int64s !== undefined) {
    w.int(2, onnxElemType.int64);
    for (const v of t.int64s) w.int(7, v);
  } else {
    w.int(2, onnxElemType.float);
    const values = Float32Array.from(t.floats ?? []);
    w.bytes(9, new Uint8Array(values.buffer));
  }
  w.string(8, t.name);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2;
  // TensorShapeProto.dim=1; Dimension: dim_value=1, dim_param=2.
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

/** Serializes a model to the bytes of a `.onnx` file. */
export function writeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8, metadata_props=14.
  w.int(1, 8);
  w.string(2, "ringagent-test");
  w.message(7, (g) => {
    // GraphProto: node=1, name=2, initializer=5, input=11, output=12.
    for (const [i, n] of model.nodes.entries()) {
      g.message(1, (node) => {
        // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5.
        for (const input of n.inputs) node.string(1, input);
        for (const output of n.outputs) node.string(2, output);
        node.string(3, `n${i}`);
        node.string(4, n.opType);
        for (const a of n.attributes ?? []) node.message(5, (attr) => writeAttribute(attr, a));
      });
    }
    g.string(2, "g");
    for (const t of model.initializers ?? []) g.message(5, (tensor) => writeTensor(tensor, t));
    for (const v of model.inputs) g.message(11, (info) => writeValueInfo(info, v));
    for (const v of model.outputs) g.message(12, (info) => writeValueInfo(info, v));
  });
  // OperatorSetIdProto: domain=1 ("" is the default ONNX domain), version=2.
  w.message(8, (opset) => opset.string(1, "").int(2, model.opsetVersion));
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, (entry) => entry.string(1, key).string(2, value));
  }
  return w.finish();
}
