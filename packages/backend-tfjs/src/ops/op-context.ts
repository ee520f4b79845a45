import { tf } from '@attune/tensor';
import type { NodeAttributes } from '../attributes.js';
import { HOST_MAX_ELEMENTS, type HostTensor, type OnnxDType } from '../host-tensor.js';
import { hostToTensor, onnxDTypeOfTensor, type Slot, tensorToHost, type Value } from '../values.js';

export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: NodeAttributes;
}

/** A value slot that belongs to the graph (initializer or folded constant) and must never be mutated. */
export interface ConstantSlot extends Slot {
  readonly constant: true;
}

/** An operator implementation: reads its inputs through the context, returns one value per output. */
export type OpImpl = (ctx: OpContext) => Value[];

/** Everything an operator sees while it runs: its node, the model's opset and its input values. */
export class OpContext {
  constructor(
    readonly node: GraphNode,
    readonly opset: number,
    private readonly slots: readonly (Slot | undefined)[],
    /** This node's cache of tensors derived from its constant inputs. */
    private readonly derivedConstants: Map<string, tf.Tensor>,
  ) {}

  /** "Reshape node 'model/Reshape_3'": how errors name the node. */
  get what(): string {
    return `${this.node.opType} node '${this.node.name}'`;
  }

  error(message: string): Error {
    return new Error(`${this.what}: ${message}`);
  }

  get inputCount(): number {
    return this.slots.length;
  }

  /** Whether optional input `i` was given (ONNX marks an omitted optional input with an empty name). */
  has(i: number): boolean {
    return this.slots[i] !== undefined;
  }

  isConstant(i: number): boolean {
    return (this.slots[i] as Partial<ConstantSlot> | undefined)?.constant === true;
  }

  /** True when every given input is available on the host, so the op can compute in JS. */
  allHost(): boolean {
    return this.slots.every((slot) => slot === undefined || (slot.host !== undefined && !slot.hostIsCopy));
  }

  /** Host path only for small results; big ones are computed by tfjs kernels. */
  fitsHost(size: number): boolean {
    return size <= HOST_MAX_ELEMENTS;
  }

  shape(i: number): readonly number[] {
    const slot = this.slot(i);
    return slot.host?.shape ?? slot.tensor?.shape ?? slot.staticShape!;
  }

  /** The ONNX dtype (for tfjs tensors: int64 stands for every integer type, float32 for every float). */
  dtype(i: number): OnnxDType {
    const slot = this.slot(i);
    return slot.host?.dtype ?? onnxDTypeOfTensor(slot.tensor!);
  }

  tensor(i: number): tf.Tensor {
    const slot = this.slot(i);
    if (slot.tensor) return slot.tensor;
    const tensor = hostToTensor(slot.host!, `${this.what}, input '${this.node.inputs[i]}'`);
    // Graph constants are shared across runs; a tensor made inside this run's scope must not stick to them.
    if (!this.isConstant(i)) slot.tensor = tensor;
    return tensor;
  }

  host(i: number): HostTensor {
    const slot = this.slot(i);
    if (slot.host) return slot.host;
    const host = tensorToHost(slot.tensor!);
    if (!this.isConstant(i)) {
      slot.host = host;
      slot.hostIsCopy = true;
    }
    return host;
  }

  /** The host form of input `i` if it already has one (never reads a tfjs tensor back). */
  peekHost(i: number): HostTensor | undefined {
    const slot = this.slots[i];
    return slot?.hostIsCopy ? undefined : slot?.host;
  }

  /** An integer-list input such as axes, a shape or pads. */
  ints(i: number): number[] {
    return [...this.host(i).data];
  }

  optionalInts(i: number): number[] | undefined {
    return this.has(i) ? this.ints(i) : undefined;
  }

  /** A scalar input (or a one-element tensor, which exporters often produce). */
  scalar(i: number): number {
    const host = this.host(i);
    if (host.size !== 1)
      throw this.error(`input '${this.node.inputs[i]}' must hold one value, got shape [${host.shape}]`);
    return host.data[0]!;
  }

  /**
   * A tensor derived from constant inputs only (e.g. a conv filter in tfjs layout), computed on first use and
   * kept for the graph's lifetime so later runs skip the work.
   */
  derivedConstant(key: string, make: () => tf.Tensor): tf.Tensor {
    let tensor = this.derivedConstants.get(key);
    if (!tensor) {
      tensor = tf.keep(tf.tidy(make));
      this.derivedConstants.set(key, tensor);
    }
    return tensor;
  }

  private slot(i: number): Slot {
    const slot = this.slots[i];
    if (!slot) throw this.error(`missing required input ${i}`);
    return slot;
  }
}
