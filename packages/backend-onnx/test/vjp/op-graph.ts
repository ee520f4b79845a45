// One-node ONNX models built in the test (onnx-proto), and the two references their VJP graphs are checked
// against: central finite differences of ⟨cotangent, y⟩ through onnxruntime's forward, and the tfjs executor.
import { loadOnnxGraph, SUPPORTED_OPS } from '@attune/backend-tfjs';
import { tf } from '@attune/tensor';
import onnxProto, { type onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildVjp, COTANGENT_PREFIX, GRADIENT_PREFIX } from '../../src/vjp/index.js';
import { randomFloats } from './compare.js';

const { AttributeType } = onnxProto.onnx.AttributeProto;
const FLOAT = 1;
const DOUBLE = 11;
const INT64 = 7;

export type Attr = number | number[] | string | { float: number };

export interface InputSpec {
  readonly name: string;
  readonly dims: number[];
  /** Float values (random when omitted) or int64 indices. */
  readonly values?: number[];
  readonly int64?: boolean;
  /** Fixed inputs become initializers (like weights or axes); they get no gradient. */
  readonly constant?: boolean;
  /** Bool inputs (conditions) are given as 0/1 values. */
  readonly bool?: boolean;
  /** Keep random values in [low, high) (e.g. positive for Log). */
  readonly range?: [number, number];
}

export interface OpCase {
  readonly op: string;
  readonly inputs: readonly InputSpec[];
  readonly attrs?: Record<string, Attr>;
  readonly opset?: number;
  /** Node output count (default 1); the cotangent is given for `cotangentOutputs` (default: output 0). */
  readonly outputs?: number;
  readonly cotangentOutputs?: readonly number[];
}

export function encodeAttr(name: string, value: Attr): onnx.IAttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
}

/** Values of each input, fixed by a seed, so FD and tfjs see the same point. */
export function inputValues(spec: InputSpec, seed: number): number[] {
  if (spec.values) return spec.values;
  const n = spec.dims.reduce((a, b) => a * b, 1);
  const [low, high] = spec.range ?? [-1, 1];
  return Array.from(randomFloats(n, seed), (u) => low + ((u + 1) / 2) * (high - low));
}

function elemTypeOf(spec: InputSpec, floatType: number): number {
  if (spec.int64) return INT64;
  if (spec.bool) return 9;
  return floatType;
}

function tensorProto(spec: InputSpec, values: number[], floatType: number): onnx.ITensorProto {
  const dataType = elemTypeOf(spec, floatType);
  const base = { name: spec.name, dataType, dims: spec.dims };
  if (dataType === INT64) return { ...base, int64Data: values };
  if (dataType === 9) return { ...base, int32Data: values };
  if (dataType === DOUBLE) return { ...base, doubleData: values };
  return { ...base, floatData: values };
}

export function opModel(c: OpCase, floatType: number, values: number[][]): onnx.IModelProto {
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `y${i}`);
  const info = (name: string, elemType: number): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType } },
  });
  const isOutputFloat = (i: number) => !(c.op === 'TopK' && i === 1);
  const castTo = c.op === 'Cast' ? (c.attrs?.to as number) : undefined;
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: c.opset ?? 17 }],
    graph: {
      name: `${c.op}_case`,
      node: [
        {
          opType: c.op,
          name: `the_${c.op}`,
          input: c.inputs.map((i) => i.name),
          output: outputs,
          attribute: Object.entries(c.attrs ?? {}).map(([k, v]) => encodeAttr(k, v)),
        },
      ],
      initializer: c.inputs.flatMap((spec, i) =>
        spec.constant ? [tensorProto(spec, values[i]!, floatType)] : [],
      ),
      input: c.inputs
        .filter((s) => !s.constant)
        .map((s) => ({
          name: s.name,
          type: {
            tensorType: {
              elemType: elemTypeOf(s, floatType),
              shape: { dim: s.dims.map((d) => ({ dimValue: d })) },
            },
          },
        })),
      output: outputs.map((o, i) => info(o, castTo ?? (isOutputFloat(i) ? floatType : INT64))),
    },
  };
}

function ortTensor(spec: InputSpec, values: number[], floatType: number): Tensor {
  if (spec.int64)
    return new Tensor(
      'int64',
      BigInt64Array.from(values, (v) => BigInt(v)),
      spec.dims,
    );
  if (spec.bool) return new Tensor('bool', Uint8Array.from(values), spec.dims);
  if (floatType === DOUBLE) return new Tensor('float64', Float64Array.from(values), spec.dims);
  return new Tensor('float32', Float32Array.from(values), spec.dims);
}

const encode = (m: onnx.IModelProto) => onnxProto.onnx.ModelProto.encode(m as onnx.ModelProto).finish();
const SESSION = { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' as const };

export interface OpCheck {
  readonly dtype: 'float64' | 'float32';
  /** max |vjp − fd| / max(1, max |fd|) over all differentiated inputs. */
  readonly fdError: number;
  /** max |vjp(float32) − tfjs| / max |tfjs|; undefined when tfjs lacks the op. */
  readonly tfjsError: number | undefined;
}

/** Inputs differentiated: the non-constant float ones. */
export function wrtOf(c: OpCase): InputSpec[] {
  return c.inputs.filter((s) => !s.constant && !s.int64 && !s.bool);
}

async function vjpRun(c: OpCase, floatType: number, values: number[][], cotangents: number[][]) {
  const forward = opModel(c, floatType, values);
  const wrt = wrtOf(c).map((s) => s.name);
  const outs = (c.cotangentOutputs ?? [0]).map((i) => `y${i}`);
  const built = buildVjp(forward, { wrt, outputs: outs, includeForwardOutputs: true });
  const session = await InferenceSession.create(encode(built.model), SESSION);
  try {
    const feeds: Record<string, Tensor> = {};
    c.inputs.forEach((s, i) => {
      if (!s.constant) feeds[s.name] = ortTensor(s, values[i]!, floatType);
    });
    const shapes = await outputShapes(forward, feeds);
    outs.forEach((o, k) => {
      const n = shapes[o]!.reduce((a, b) => a * b, 1);
      const data = cotangents[k]!.slice(0, n);
      const outType = c.op === 'Cast' ? (c.attrs?.to as number) : floatType;
      feeds[`${COTANGENT_PREFIX}${o}`] = ortTensor({ name: o, dims: shapes[o]! }, data, outType);
    });
    const result = await session.run(feeds);
    return Object.fromEntries(
      wrt.map((w) => [w, Array.from(result[`${GRADIENT_PREFIX}${w}`]!.data as Float64Array)]),
    );
  } finally {
    await session.release();
  }
}

async function outputShapes(
  model: onnx.IModelProto,
  feeds: Record<string, Tensor>,
): Promise<Record<string, number[]>> {
  const session = await InferenceSession.create(encode(model), SESSION);
  try {
    const result = await session.run(feeds);
    return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, [...t.dims]]));
  } finally {
    await session.release();
  }
}

/** ⟨cotangent, y⟩ from onnxruntime's forward at `values`. */
async function lossAt(
  session: InferenceSession,
  c: OpCase,
  floatType: number,
  values: number[][],
  cotangents: number[][],
) {
  const feeds: Record<string, Tensor> = {};
  c.inputs.forEach((s, i) => {
    if (!s.constant) feeds[s.name] = ortTensor(s, values[i]!, floatType);
  });
  const result = await session.run(feeds);
  let loss = 0;
  (c.cotangentOutputs ?? [0]).forEach((o, k) => {
    const y = result[`y${o}`]!.data as Float64Array;
    for (let i = 0; i < y.length; i++) loss += y[i]! * cotangents[k]![i]!;
  });
  return loss;
}

export async function checkOp(c: OpCase, seed = 1): Promise<OpCheck> {
  const values = c.inputs.map((s, i) => inputValues(s, seed + 17 * i));
  const cotangents = (c.cotangentOutputs ?? [0]).map((_, k) =>
    Array.from(randomFloats(4096, seed + 1000 + k)),
  );
  // float64 where onnxruntime's CPU kernels have it; float32 (with a larger step) otherwise.
  let dtype: 'float64' | 'float32' = 'float64';
  let grads: Record<string, number[]>;
  try {
    grads = await vjpRun(c, DOUBLE, values, cotangents);
  } catch (error) {
    if (!/NOT_IMPLEMENTED|Could not find an implementation/i.test((error as Error).message)) throw error;
    dtype = 'float32';
    grads = await vjpRun(c, FLOAT, values, cotangents);
  }
  const floatType = dtype === 'float64' ? DOUBLE : FLOAT;
  const eps = dtype === 'float64' ? 1e-6 : 1e-2;
  const session = await InferenceSession.create(encode(opModel(c, floatType, values)), SESSION);
  let fdError = 0;
  try {
    for (const spec of wrtOf(c)) {
      const index = c.inputs.indexOf(spec);
      const grad = grads[spec.name]!;
      const fd: number[] = [];
      for (let j = 0; j < values[index]!.length; j++) {
        const shifted = (delta: number) =>
          values.map((v, i) => (i === index ? v.map((x, k) => (k === j ? x + delta : x)) : v));
        const up = await lossAt(session, c, floatType, shifted(eps), cotangents);
        const down = await lossAt(session, c, floatType, shifted(-eps), cotangents);
        fd.push((up - down) / (2 * eps));
      }
      const scale = Math.max(1, ...fd.map(Math.abs));
      if (grad.length !== fd.length)
        throw new Error(`${spec.name}: gradient has ${grad.length} values, input ${fd.length}`);
      fdError = Math.max(fdError, ...fd.map((f, k) => Math.abs(f - grad[k]!) / scale));
    }
  } finally {
    await session.release();
  }
  return { dtype, fdError, tfjsError: await tfjsError(c, values, cotangents) };
}

async function tfjsError(c: OpCase, values: number[][], cotangents: number[][]): Promise<number | undefined> {
  if (!SUPPORTED_OPS.includes(c.op)) return undefined;
  const ours = await vjpRun(c, FLOAT, values, cotangents);
  const graph = await loadOnnxGraph(encode(opModel(c, FLOAT, values)));
  try {
    const feeds: Record<string, tf.Tensor> = {};
    c.inputs.forEach((s, i) => {
      if (s.constant) return;
      feeds[s.name] = s.int64
        ? tf.tensor(values[i]!, s.dims, 'int32')
        : s.bool
          ? tf.tensor(values[i]!.map(Boolean), s.dims, 'bool')
          : tf.tensor(values[i]!, s.dims, 'float32');
    });
    const outs = (c.cotangentOutputs ?? [0]).map((i) => `y${i}`);
    const wrt = wrtOf(c).map((s) => s.name);
    const { value, grads } = graph.gradients(
      feeds,
      wrt,
      (o) =>
        tf.addN(
          outs.map((name, k) =>
            tf.sum(tf.mul(o[name]!, tf.tensor(cotangents[k]!.slice(0, o[name]!.size), o[name]!.shape))),
          ),
        ) as tf.Scalar,
      outs,
    );
    let error = 0;
    for (const w of wrt) {
      const expected = grads[w]!.dataSync();
      const scale = Math.max(1e-6, ...Array.from(expected, Math.abs));
      ours[w]!.forEach((g, k) => {
        error = Math.max(error, Math.abs(g - expected[k]!) / scale);
      });
    }
    tf.dispose([value, ...Object.values(grads), ...Object.values(feeds)]);
    return error;
  } finally {
    graph.dispose();
  }
}
