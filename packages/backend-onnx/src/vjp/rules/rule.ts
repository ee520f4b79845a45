import type { Emitter } from '../emitter.js';
import type { ForwardNode } from '../forward-graph.js';

/** What a rule sees: the forward node, the cotangents of its outputs, and the emitter for backward nodes. */
export interface RuleContext {
  readonly node: ForwardNode;
  readonly e: Emitter;
  readonly opset: number;
  /** Name of input i / output i of the forward node. */
  input(i: number): string;
  output(i: number): string;
  /** The cotangent of output i, or undefined when nothing downstream needs it. */
  dy(i?: number): string | undefined;
  /** Whether the gradient of input i is wanted (it depends on a differentiated input). */
  wants(i: number): boolean;
  /** The static rank of a forward value; fails naming the value and node when inference could not find it. */
  rank(name: string): number;
  /** Element type code of a forward value, if known. */
  elemType(name: string): number | undefined;
  /** Static integer values of a forward value (axes, shapes), if inference found them all. */
  constInts(name: string): number[] | undefined;
}

export interface GradientRule {
  /** Input positions a gradient can flow through (default: all). Indices, shapes, and conditions are not. */
  readonly differentiable?: readonly number[];
  /**
   * Gradients for the inputs, by position (undefined where not wanted). Each is shaped like its input.
   */
  vjp(ctx: RuleContext): (string | undefined)[];
}

export type RuleTable = Readonly<Record<string, GradientRule>>;
