// Writes the backward nodes: fresh value names, small constants, and the opset-dependent forms of the few
// ops whose signature changed (axes as attribute or input), so rules read as formulas.
import onnxProto, { type onnx } from 'onnx-proto';
import type { ForwardGraph } from './forward-graph.js';

const { AttributeType } = onnxProto.onnx.AttributeProto;
const INT64 = 7;
const FLOAT = 1;

/** An attribute value: an integer, a list of integers, a string, or a float/tensor wrapped to say so. */
export type AttrValue =
  | number
  | readonly number[]
  | string
  | { float: number }
  | { tensor: onnx.ITensorProto };

export class Emitter {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;
  private readonly constants = new Map<string, string>();

  constructor(
    readonly forward: ForwardGraph,
    /** Prefix of every name this emitter makes, e.g. "vjp/". */
    private readonly prefix: string,
  ) {}

  get opset(): number {
    return this.forward.opset;
  }

  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  /** Emits one node; returns its output names. */
  opN(
    opType: string,
    inputs: readonly string[],
    outputs: number,
    attrs: Record<string, AttrValue> = {},
  ): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push({
      opType,
      name: this.fresh(`${opType}_node`),
      input: [...inputs],
      output: names,
      attribute: Object.entries(attrs).map(([name, value]) => attribute(name, value)),
    });
    return names;
  }

  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.opN(opType, inputs, 1, attrs)[0]!;
  }

  /** A 1-D (or, with scalar, 0-D) int64 initializer, shared between uses. */
  int64(values: readonly number[], scalar = false): string {
    const key = `i64:${scalar}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = this.fresh('const_i64');
    this.initializers.push({
      name,
      dataType: INT64,
      dims: scalar ? [] : [values.length],
      int64Data: values.map((v) => v),
    });
    this.constants.set(key, name);
    return name;
  }

  /** A float scalar with the element type of `like` (CastLike from opset 15; float32 before). */
  scalarLike(value: number, like: string): string {
    const key = `f32:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.fresh('const_f32');
      this.initializers.push({ name, dataType: FLOAT, dims: [], floatData: [value] });
      this.constants.set(key, name);
    }
    const type = this.forward.elemType(like);
    if (type === FLOAT) return name;
    if (this.opset >= 15) return this.op('CastLike', [name, like]);
    if (type !== undefined) return this.op('Cast', [name], { to: type });
    return name;
  }

  /**
   * `x` converted to the element type of the forward value `like`: CastLike from opset 15, Cast to the
   * inferred type before.
   */
  castLike(x: string, like: string): string {
    const target = this.forward.elemType(like);
    if (target !== undefined && target === this.forward.elemType(x)) return x;
    if (this.opset >= 15) return this.op('CastLike', [x, like]);
    if (target === undefined) {
      throw new Error(`VJP: the element type of '${like}' is unknown (opset ${this.opset} has no CastLike)`);
    }
    return this.op('Cast', [x], { to: target });
  }

  shape(x: string): string {
    return this.op('Shape', [x]);
  }

  /** Zeros shaped and typed like `x`. */
  zerosLike(x: string): string {
    return this.op('Mul', [x, this.scalarLike(0, x)]);
  }

  unsqueeze(x: string, axes: readonly number[] | string): string {
    if (this.opset >= 13)
      return this.op('Unsqueeze', [x, typeof axes === 'string' ? axes : this.int64(axes)]);
    if (typeof axes === 'string') throw new Error(`VJP: opset ${this.opset} Unsqueeze needs static axes`);
    return this.op('Unsqueeze', [x], { axes });
  }

  squeeze(x: string, axes: readonly number[]): string {
    if (this.opset >= 13) return this.op('Squeeze', [x, this.int64(axes)]);
    return this.op('Squeeze', [x], { axes });
  }

  /** ReduceSum over `axes` (static list or an int64 tensor name); absent axes mean all. */
  reduceSum(
    x: string,
    axes: readonly number[] | string | undefined,
    keepdims: boolean,
    noopWhenEmpty = false,
  ): string {
    const attrs: Record<string, AttrValue> = { keepdims: keepdims ? 1 : 0 };
    if (this.opset >= 13) {
      if (noopWhenEmpty) attrs.noop_with_empty_axes = 1;
      const inputs = axes === undefined ? [x] : [x, typeof axes === 'string' ? axes : this.int64(axes)];
      return this.op('ReduceSum', inputs, attrs);
    }
    if (typeof axes === 'string') throw new Error(`VJP: opset ${this.opset} ReduceSum needs static axes`);
    if (axes !== undefined) attrs.axes = axes;
    return this.op('ReduceSum', [x], attrs);
  }

  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    if (this.opset >= 18) return this.op('ReduceMean', [x, this.int64(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /**
   * Sums `grad` (shaped like the forward value `gradShapedLike`) down to the shape of `like`, which was
   * broadcast to that shape in the forward pass. The
   * axes are found at run time (where the right-aligned shapes differ), so dynamic shapes work.
   */
  unbroadcast(grad: string, like: string, gradShapedLike: string): string {
    const gr = this.forward.rankOf(gradShapedLike);
    const lr = this.forward.rankOf(like);
    const gs = this.forward.known.get(gradShapedLike)?.shape;
    const ls = this.forward.known.get(like)?.shape;
    if (gs && ls && gs.length === ls.length && gs.every((d, i) => d !== null && d === ls[i])) return grad;
    if (this.opset < 13) {
      if (!gs || !ls || gs.includes(null) || ls.includes(null)) {
        throw new Error(`VJP: broadcasting at opset ${this.opset} needs static shapes ('${like}')`);
      }
      const lead = gs.length - ls.length;
      const axes = gs.map((d, i) => (i < lead || ls[i - lead] !== d ? i : -1)).filter((i) => i >= 0);
      const summed = axes.length ? this.reduceSum(grad, axes, true) : grad;
      return this.op('Reshape', [summed, this.shape(like)]);
    }
    const gShape = this.shape(gradShapedLike);
    let lShape = this.shape(like);
    if (gr !== undefined && lr !== undefined) {
      // Left-pad like's shape with ones to grad's rank (static ranks: a constant of ones).
      if (gr > lr) lShape = this.op('Concat', [this.int64(new Array(gr - lr).fill(1)), lShape], { axis: 0 });
    } else {
      // Ranks unknown: the ones are made at run time, Concat(ones(rank(g) − rank(like)), shape(like)).
      const pad = this.op('Sub', [this.op('Size', [gShape]), this.op('Size', [lShape])]);
      const ones = this.op('ConstantOfShape', [this.unsqueeze(pad, [0])], {
        value: { tensor: int64Tensor([1]) },
      });
      lShape = this.op('Concat', [ones, lShape], { axis: 0 });
    }
    const differ = this.op('Not', [this.op('Equal', [gShape, lShape])]);
    const axes = this.op('Squeeze', [this.op('NonZero', [differ]), this.int64([0])]);
    const summed = this.reduceSum(grad, axes, true, true);
    return this.op('Reshape', [summed, this.shape(like)]);
  }

  /** Sum of contributions (one Add per extra term). */
  sum(terms: readonly string[]): string {
    let total = terms[0]!;
    for (const term of terms.slice(1)) total = this.op('Add', [total, term]);
    return total;
  }
}

export function int64Tensor(values: readonly number[]): onnx.ITensorProto {
  return { dataType: INT64, dims: [values.length], int64Data: [...values] };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...value] };
  if ('float' in (value as object))
    return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
  return { name, type: AttributeType.TENSOR, t: (value as { tensor: onnx.ITensorProto }).tensor };
}
