import { tf } from '@attune/tensor';
import type { onnx } from 'onnx-proto';
import { NodeAttributes } from './attributes.js';
import { registerTopKGradient, registerZeroGradients } from './gradient-gaps.js';
import { HOST_MAX_ELEMENTS, HostTensor } from './host-tensor.js';
import { formatShape, type LoadedModel, readOnnxModel, type TensorInfo, tensorInfo } from './onnx-model.js';
import { OPS, OpContext, SUPPORTED_OPS } from './ops/index.js';
import type { ConstantSlot, GraphNode } from './ops/op-context.js';
import { decodeTensorProto } from './tensor-proto.js';
import {
  assertFitsInt32,
  INT32_MAX,
  INT32_MIN,
  isHost,
  type Slot,
  tensorToHost,
  tfDTypeOf,
  type Value,
} from './values.js';

export type Feeds = Readonly<Record<string, tf.Tensor>>;
export type Outputs = Record<string, tf.Tensor>;

export interface GradientResult {
  /** The loss. */
  readonly value: tf.Scalar;
  /** d loss / d input, one tensor per name in `wrt`, shaped like that input. */
  readonly grads: Record<string, tf.Tensor>;
}

/** How much of the graph was resolved at load time. */
export interface GraphStats {
  readonly nodes: number;
  /** Nodes evaluated once at load because they only depend on constants or static shapes. */
  readonly folded: number;
  /** Nodes that run on every call. */
  readonly executed: number;
}

/** The nodes one set of requested outputs needs, and when each value is used for the last time. */
interface Plan {
  readonly nodes: readonly GraphNode[];
  readonly lastUse: ReadonlyMap<string, number>;
  readonly feedsNeeded: ReadonlySet<string>;
}

/**
 * An ONNX graph executed with tfjs ops. Initializers become tfjs constants once, at load; shape-only
 * subgraphs on static shapes are folded at load; at run time shape arithmetic is computed eagerly in JS.
 * Inputs can be differentiated with `gradients`; weights are constants and get no gradients.
 */
export class OnnxGraph {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly opset: number;
  readonly source: string;
  readonly stats: GraphStats;

  private readonly constants = new Map<string, ConstantSlot>();
  private readonly nodes: GraphNode[];
  /** Which node produces each value, for planning. */
  private readonly producers = new Map<string, GraphNode>();
  private readonly derivedConstants = new Map<GraphNode, Map<string, tf.Tensor>>();
  private readonly plans = new Map<string, Plan>();
  private disposed = false;

  /** Use `loadOnnxGraph`. */
  constructor(loaded: LoadedModel) {
    const { graph, source, opset, directory } = loaded;
    registerZeroGradients();
    registerTopKGradient();
    this.source = source;
    this.opset = opset;
    const allNodes = sortTopologically(readNodes(graph, directory), source);
    checkOperatorsSupported(allNodes, source);

    for (const initializer of graph.initializer ?? []) {
      this.constants.set(
        initializer.name ?? '',
        constantFromDecoded(decodeTensorProto(initializer, directory)),
      );
    }
    // Old exporters also list initializers as graph inputs; those are constants here, not feeds.
    this.inputs = (graph.input ?? []).filter((i) => !this.constants.has(i.name ?? '')).map(tensorInfo);
    this.outputs = (graph.output ?? []).map(tensorInfo);

    this.nodes = this.foldConstants(allNodes, staticShapes(graph));
    for (const node of this.nodes) for (const output of node.outputs) this.producers.set(output, node);
    this.materializeAndPrune();
    this.stats = {
      nodes: allNodes.length,
      folded: allNodes.length - this.nodes.length,
      executed: this.nodes.length,
    };
  }

  get inputNames(): string[] {
    return this.inputs.map((i) => i.name);
  }

  get outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  /**
   * Runs the graph. Returns the requested outputs (default: all graph outputs; any intermediate value name
   * works too) as tensors the caller owns and must dispose. Integer outputs come back as int32.
   */
  run(feeds: Feeds, outputNames: readonly string[] = this.outputNames): Outputs {
    this.assertUsable();
    const names = [...new Set(outputNames)];
    const plan = this.planFor(names);
    this.checkFeeds(feeds, plan);
    return tf.tidy(() => this.collect(this.execute(feeds, plan, names, true), names));
  }

  /**
   * Value and gradient of `loss(outputs)` with respect to the inputs named in `wrt`. The loss must return a
   * scalar; everything it builds is freed. The caller owns `value` and `grads`.
   */
  gradients(
    feeds: Feeds,
    wrt: readonly string[],
    loss: (outputs: Outputs) => tf.Scalar,
    outputNames: readonly string[] = this.outputNames,
  ): GradientResult {
    this.assertUsable();
    const names = [...new Set(outputNames)];
    const plan = this.planFor(names);
    this.checkFeeds(feeds, plan);
    if (wrt.length === 0) throw new Error('gradients: name at least one input in wrt');
    for (const name of wrt) {
      const info = this.inputs.find((i) => i.name === name);
      if (!info)
        throw new Error(`gradients: '${name}' is not a graph input; inputs: ${this.inputNames.join(', ')}`);
      if (tfDTypeOf(info.dtype) !== 'float32') {
        throw new Error(
          `gradients: input '${name}' is ${info.dtype}; only float inputs can be differentiated`,
        );
      }
      if (!plan.feedsNeeded.has(name)) {
        throw new Error(`gradients: input '${name}' does not reach outputs [${names.join(', ')}]`);
      }
    }
    const lossOf = (...xs: tf.Tensor[]): tf.Scalar => {
      const current: Record<string, tf.Tensor> = { ...feeds };
      wrt.forEach((name, i) => {
        current[name] = xs[i]!;
      });
      // Intermediates stay alive here: the gradient tape needs them; valueAndGrads' scope frees them.
      const value = loss(this.collect(this.execute(current, plan, names, false), names));
      if (!(value instanceof tf.Tensor) || value.rank !== 0) {
        throw new Error(`gradients: loss must return a scalar tensor, got ${describe(value)}`);
      }
      return value;
    };
    const { value, grads } = tf.valueAndGrads(lossOf)(wrt.map((name) => feeds[name]!));
    return { value: value as tf.Scalar, grads: Object.fromEntries(wrt.map((name, i) => [name, grads[i]!])) };
  }

  /** Frees every tensor the graph holds. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.constants.values()) slot.tensor?.dispose();
    for (const cache of this.derivedConstants.values()) for (const t of cache.values()) t.dispose();
    this.constants.clear();
    this.derivedConstants.clear();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error(`graph '${this.source}' has been disposed`);
  }

  /** Evaluates every node whose inputs are all known at load: constants, or shapes that are static. */
  private foldConstants(nodes: GraphNode[], shapes: Map<string, number[]>): GraphNode[] {
    const remaining: GraphNode[] = [];
    for (const node of nodes) {
      const present = node.inputs.filter((name) => name !== '');
      const shapeOnly = node.opType === 'Shape' || node.opType === 'Size';
      const staticInput = shapeOnly && present.length === 1 && shapes.has(present[0]!);
      if (!staticInput && !present.every((name) => this.constants.has(name))) {
        remaining.push(node);
        continue;
      }
      const slots = node.inputs.map((name): Slot | undefined => {
        if (name === '') return undefined;
        // A Shape/Size node reads only its input's shape, which the file declares statically.
        return this.constants.get(name) ?? { staticShape: shapes.get(name)! };
      });
      let values: Value[] = [];
      tf.tidy(() => {
        values = this.runNode(node, slots);
        for (const v of values) if (!isHost(v)) tf.keep(v);
      });
      node.outputs.forEach((name, i) => {
        if (name !== '') this.constants.set(name, constantFromValue(values[i]!));
        else if (!isHost(values[i]!)) (values[i] as tf.Tensor).dispose();
      });
    }
    return remaining;
  }

  /**
   * Gives every constant that a remaining node or a graph output reads a tfjs form (when it fits int32), and
   * frees the constants only folded nodes used.
   */
  private materializeAndPrune(): void {
    const used = new Set<string>(this.outputNames);
    for (const node of this.nodes) for (const name of node.inputs) used.add(name);
    for (const [name, slot] of this.constants) {
      if (!used.has(name)) {
        slot.tensor?.dispose();
        this.constants.delete(name);
      } else if (!slot.tensor && slot.host && fitsInt32(slot.host)) {
        slot.tensor = tf.tensor(slot.host.data as number[], [...slot.host.shape], tfDTypeOf(slot.host.dtype));
      }
    }
  }

  private planFor(names: readonly string[]): Plan {
    const key = names.join('\u0000');
    const cached = this.plans.get(key);
    if (cached) return cached;
    const inputNames = new Set(this.inputNames);
    const needed = new Set<GraphNode>();
    const feedsNeeded = new Set<string>();
    const visit = (name: string) => {
      if (name === '' || this.constants.has(name)) return;
      if (inputNames.has(name)) {
        feedsNeeded.add(name);
        return;
      }
      const producer = this.producers.get(name);
      if (!producer) {
        throw new Error(
          `'${name}' is not a value of graph '${this.source}'; outputs: ${this.outputNames.join(', ')}`,
        );
      }
      if (needed.has(producer)) return;
      needed.add(producer);
      for (const input of producer.inputs) visit(input);
    };
    for (const name of names) visit(name);
    const nodes = this.nodes.filter((n) => needed.has(n));
    const lastUse = new Map<string, number>();
    nodes.forEach((node, index) => {
      for (const name of node.inputs) lastUse.set(name, index);
    });
    const plan = { nodes, lastUse, feedsNeeded };
    this.plans.set(key, plan);
    return plan;
  }

  private checkFeeds(feeds: Feeds, plan: Plan): void {
    const known = new Set(this.inputNames);
    for (const name of Object.keys(feeds)) {
      if (!known.has(name)) {
        throw new Error(
          `unknown feed '${name}' for graph '${this.source}'; inputs: ${this.inputNames.join(', ')}`,
        );
      }
    }
    const missing = [...plan.feedsNeeded].filter((name) => feeds[name] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `missing feed(s) ${missing.map((n) => `'${n}'`).join(', ')} for graph '${this.source}'`,
      );
    }
    // A symbolic dimension (e.g. 'batch') must have one size across all feeds.
    const symbolic = new Map<string, { size: number; input: string }>();
    for (const info of this.inputs) {
      const feed = feeds[info.name];
      if (feed === undefined) continue;
      if (!(feed instanceof tf.Tensor))
        throw new Error(`feed '${info.name}' must be a tfjs tensor, got ${describe(feed)}`);
      const dtype = tfDTypeOf(info.dtype);
      const rankOk = info.shape.length === feed.rank;
      const dimsOk = rankOk && info.shape.every((d, i) => typeof d !== 'number' || d === feed.shape[i]);
      if (feed.dtype !== dtype || !dimsOk) {
        const carried = info.dtype !== dtype ? ` (an ${dtype} tensor in tfjs)` : '';
        throw new Error(
          `feed '${info.name}': expected ${info.dtype} ${formatShape(info.shape)}${carried}, got ${feed.dtype} [${feed.shape.join(',')}]`,
        );
      }
      info.shape.forEach((dim, axis) => {
        if (typeof dim !== 'string') return;
        const size = feed.shape[axis]!;
        const seen = symbolic.get(dim);
        if (seen && seen.size !== size) {
          throw new Error(
            `feed '${info.name}': dimension '${dim}' is ${size}, but feed '${seen.input}' has ${dim} = ${seen.size}`,
          );
        }
        symbolic.set(dim, { size, input: info.name });
      });
    }
  }

  private execute(
    feeds: Feeds,
    plan: Plan,
    outputNames: readonly string[],
    freeEarly: boolean,
  ): Map<string, Slot> {
    const slots = new Map<string, Slot>(this.constants);
    for (const name of plan.feedsNeeded) slots.set(name, { tensor: feeds[name]! });
    const keep = new Set([...outputNames, ...plan.feedsNeeded, ...this.constants.keys()]);
    plan.nodes.forEach((node, index) => {
      const inputs = node.inputs.map((name) => (name === '' ? undefined : slots.get(name)));
      const values = this.runNode(node, inputs);
      node.outputs.forEach((name, i) => {
        const value = values[i]!;
        if (name === '') {
          if (!isHost(value)) value.dispose();
          return;
        }
        // An op must not hand back an input's tensor object: each value owns its tensor.
        const owned = !isHost(value) && inputs.some((s) => s?.tensor === value) ? tf.clone(value) : value;
        slots.set(name, isHost(owned) ? { host: owned } : { tensor: owned });
      });
      if (!freeEarly) return;
      // Free intermediates at their last use to bound memory (the run's tidy would free them only at the end).
      for (const name of node.inputs) {
        if (name !== '' && plan.lastUse.get(name) === index && !keep.has(name)) {
          slots.get(name)?.tensor?.dispose();
          slots.delete(name);
        }
      }
    });
    return slots;
  }

  private runNode(node: GraphNode, inputs: (Slot | undefined)[]): Value[] {
    let cache = this.derivedConstants.get(node);
    if (!cache) {
      cache = new Map();
      this.derivedConstants.set(node, cache);
    }
    const ctx = new OpContext(node, this.opset, inputs, cache);
    let values: Value[];
    try {
      values = OPS[node.opType]!(ctx);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(message.startsWith(ctx.what) ? message : `${ctx.what}: ${message}`, { cause: error });
    }
    const expected = node.outputs.length;
    if (values.length < expected) {
      throw new Error(`${ctx.what}: produced ${values.length} outputs, the graph expects ${expected}`);
    }
    return values.slice(0, expected);
  }

  /** The requested outputs as tensors the caller owns (constants and feeds are cloned, host values converted). */
  private collect(slots: Map<string, Slot>, names: readonly string[]): Outputs {
    const result: Outputs = {};
    for (const name of names) {
      const slot = slots.get(name)!;
      const shared = this.constants.has(name) || this.inputNames.includes(name);
      if (slot.tensor) result[name] = shared ? tf.clone(slot.tensor) : slot.tensor;
      else result[name] = hostToTensorChecked(slot.host!, `output '${name}'`);
    }
    return result;
  }
}

/** Loads an ONNX model (a path or the file's bytes) for execution on the current tfjs backend. */
export async function loadOnnxGraph(pathOrBytes: string | Uint8Array): Promise<OnnxGraph> {
  const loaded = await readOnnxModel(pathOrBytes);
  await tf.ready();
  return new OnnxGraph(loaded);
}

function readNodes(graph: onnx.IGraphProto, directory: string | undefined): GraphNode[] {
  return (graph.node ?? []).map((node, index) => {
    const name = node.name || `${node.opType}_${index}`;
    const opType = node.opType ?? '';
    return {
      name,
      opType,
      domain: node.domain ?? '',
      inputs: node.input ?? [],
      outputs: node.output ?? [],
      attrs: new NodeAttributes(node.attribute ?? [], `${opType} node '${name}'`, directory),
    };
  });
}

/** Fails at load, not at first run, naming every unsupported operator, a node using it, and what is supported. */
function checkOperatorsSupported(nodes: readonly GraphNode[], source: string): void {
  const unsupported = new Map<string, string>();
  for (const node of nodes) {
    const standardDomain = node.domain === '' || node.domain === 'ai.onnx';
    const key = standardDomain ? node.opType : `${node.domain}.${node.opType}`;
    if ((!standardDomain || !Object.hasOwn(OPS, node.opType)) && !unsupported.has(key)) {
      unsupported.set(key, node.name);
    }
  }
  if (unsupported.size === 0) return;
  const list = [...unsupported].map(([op, node]) => `'${op}' (node '${node}')`).join(', ');
  throw new Error(
    `unsupported operator${unsupported.size > 1 ? 's' : ''} ${list} in '${source}'. Supported operators (default ONNX domain): ${SUPPORTED_OPS.join(', ')}`,
  );
}

/** Kahn's algorithm; ONNX requires sorted nodes, but some tools write them out of order. */
function sortTopologically(nodes: GraphNode[], source: string): GraphNode[] {
  const producer = new Map<string, GraphNode>();
  for (const node of nodes) for (const output of node.outputs) if (output) producer.set(output, node);
  const pending = new Map(
    nodes.map((n) => [n, new Set(n.inputs.map((i) => producer.get(i)).filter((p) => p && p !== n))]),
  );
  const consumers = new Map<GraphNode, GraphNode[]>();
  for (const [node, deps] of pending)
    for (const dep of deps) consumers.set(dep!, [...(consumers.get(dep!) ?? []), node]);
  const ready = nodes.filter((n) => pending.get(n)!.size === 0);
  const sorted: GraphNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    sorted.push(node);
    for (const consumer of consumers.get(node) ?? []) {
      const deps = pending.get(consumer)!;
      deps.delete(node);
      if (deps.size === 0) ready.push(consumer);
    }
  }
  if (sorted.length !== nodes.length)
    throw new Error(`graph '${source}' has a cycle; ONNX graphs must be acyclic`);
  return sorted;
}

/** Fully static shapes the file declares (inputs, value_info, outputs): what Shape nodes can fold on. */
function staticShapes(graph: onnx.IGraphProto): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const value of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const info = tensorInfo(value);
    if (value.type?.tensorType?.shape && info.shape.every((d) => typeof d === 'number')) {
      shapes.set(info.name, info.shape as number[]);
    }
  }
  return shapes;
}

function fitsInt32(host: HostTensor): boolean {
  return tfDTypeOf(host.dtype) !== 'int32' || host.data.every((v) => v >= INT32_MIN && v <= INT32_MAX);
}

function hostToTensorChecked(host: HostTensor, what: string): tf.Tensor {
  if (!fitsInt32(host)) throw new Error(`${what}: holds values outside int32, which tfjs cannot represent`);
  return tf.tensor(host.data as number[], [...host.shape], tfDTypeOf(host.dtype));
}

function constantFromDecoded(decoded: ReturnType<typeof decodeTensorProto>): ConstantSlot {
  const { dtype, shape, values } = decoded;
  const small = values.length <= HOST_MAX_ELEMENTS;
  const host = small ? new HostTensor(dtype, shape, Array.from(values)) : undefined;
  const tfDType = tfDTypeOf(dtype);
  let tensor: tf.Tensor | undefined;
  if (tfDType === 'float32') {
    tensor = tf.tensor(values as Float32Array, shape, 'float32');
  } else if (!small) {
    assertFitsInt32(values, `initializer '${decoded.name}'`);
    tensor = tf.tensor(Int32Array.from(values), shape, tfDType);
  }
  // Small integer constants stay host-only until materializeAndPrune gives the used ones a tensor.
  return { constant: true, host, tensor };
}

function constantFromValue(value: Value): ConstantSlot {
  if (isHost(value)) return { constant: true, host: value };
  // Small folded results also get a host copy so later shape arithmetic can stay in JS.
  const host = value.size <= HOST_MAX_ELEMENTS ? tensorToHost(value) : undefined;
  return { constant: true, host, tensor: value };
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
  return value === null ? 'null' : typeof value;
}
