import type { onnx } from 'onnx-proto';
import { toNumber } from './long.js';
import { type DecodedTensor, decodeTensorProto } from './tensor-proto.js';

const text = new TextDecoder();

/** Typed access to a node's attributes; a missing required attribute names the node and the attribute. */
export class NodeAttributes {
  private readonly byName: Map<string, onnx.IAttributeProto>;

  constructor(
    attributes: readonly onnx.IAttributeProto[],
    private readonly owner: string,
    private readonly modelDir: string | undefined,
  ) {
    this.byName = new Map(attributes.map((a) => [a.name ?? '', a]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  int(name: string, fallback?: number): number {
    const attribute = this.byName.get(name);
    if (attribute) return toNumber(attribute.i);
    return this.required(name, fallback);
  }

  float(name: string, fallback?: number): number {
    const attribute = this.byName.get(name);
    if (attribute) return attribute.f ?? 0;
    return this.required(name, fallback);
  }

  string(name: string, fallback?: string): string {
    const attribute = this.byName.get(name);
    if (attribute) return text.decode(attribute.s ?? new Uint8Array());
    return this.required(name, fallback);
  }

  ints(name: string, fallback?: number[]): number[] {
    const attribute = this.byName.get(name);
    if (attribute) return (attribute.ints ?? []).map(toNumber);
    return this.required(name, fallback);
  }

  floats(name: string, fallback?: number[]): number[] {
    const attribute = this.byName.get(name);
    if (attribute) return [...(attribute.floats ?? [])];
    return this.required(name, fallback);
  }

  tensor(name: string): DecodedTensor {
    const attribute = this.byName.get(name);
    if (!attribute?.t) throw new Error(`${this.owner}: missing tensor attribute '${name}'`);
    return decodeTensorProto(attribute.t, this.modelDir);
  }

  private required<T>(name: string, fallback: T | undefined): T {
    if (fallback === undefined) throw new Error(`${this.owner}: missing required attribute '${name}'`);
    return fallback;
  }
}
