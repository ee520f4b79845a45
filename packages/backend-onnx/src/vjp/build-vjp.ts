// Builds the vector–Jacobian product of a forward ONNX model as another ONNX model: inputs are the forward
// inputs plus one cotangent per chosen output (`grad_in:<output>`), outputs are the gradients of the chosen
// inputs (`grad:<input>`), optionally with the forward outputs too (value and gradient from one run).
// Only nodes on the path from the differentiated inputs to the chosen outputs get backward nodes; weights
// stay initializers and get no gradients.
import type { onnx } from 'onnx-proto';
import { Emitter } from './emitter.js';
import { attrInt, ForwardGraph, type ForwardNode, isFloatType } from './forward-graph.js';
import { GRADIENT_RULES, NON_DIFFERENTIABLE_OPS } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';

export interface VjpOptions {
  /** Forward outputs whose cotangents are given (default: all graph outputs). */
  readonly outputs?: readonly string[];
  /** Graph inputs to differentiate (float). */
  readonly wrt: readonly string[];
  /** Also return the forward outputs named in `outputs`, so one run gives value and gradient. Default true. */
  readonly includeForwardOutputs?: boolean;
}

export const COTANGENT_PREFIX = 'grad_in:';
export const GRADIENT_PREFIX = 'grad:';

export interface VjpGraphReport {
  /** Forward nodes on the differentiated path (those that got a rule applied). */
  readonly pathNodes: number;
  readonly backwardNodes: number;
  /** Op types on the path, with counts. */
  readonly pathOps: Readonly<Record<string, number>>;
}

export interface BuiltVjp {
  readonly model: onnx.IModelProto;
  readonly cotangentInputs: readonly string[];
  readonly gradientOutputs: readonly string[];
  readonly report: VjpGraphReport;
}

/** Thrown when an op on the differentiated path has no rule; names each op type and a node using it. */
export class MissingGradientRuleError extends Error {
  constructor(readonly missing: ReadonlyMap<string, string>) {
    const list = [...missing].map(([op, node]) => `'${op}' (node '${node}')`).join(', ');
    super(
      `no VJP rule for ${list} on the differentiated path; ops with rules: ${Object.keys(GRADIENT_RULES).sort().join(', ')}`,
    );
    this.name = 'MissingGradientRuleError';
  }
}

/** Which op types lie on the differentiated path and have no rule (empty: the VJP graph can be built). */
export function missingGradientRules(model: onnx.IModelProto, options: VjpOptions): Map<string, string> {
  const forward = new ForwardGraph(model);
  return analyse(forward, resolveOptions(forward, options)).missing;
}

export function buildVjp(model: onnx.IModelProto, options: VjpOptions): BuiltVjp {
  const forward = new ForwardGraph(model);
  const resolved = resolveOptions(forward, options);
  const { path, active, missing } = analyse(forward, resolved);
  if (missing.size > 0) throw new MissingGradientRuleError(missing);

  const e = new Emitter(forward, 'vjp/');
  const contributions = new Map<string, string[]>();
  const add = (value: string, grad: string) => {
    const list = contributions.get(value);
    if (list) list.push(grad);
    else contributions.set(value, [grad]);
  };
  for (const output of resolved.outputs) add(output, `${COTANGENT_PREFIX}${output}`);
  const total = (value: string): string | undefined => {
    const list = contributions.get(value);
    if (!list) return undefined;
    const summed = e.sum(list);
    contributions.set(value, [summed]);
    return summed;
  };

  const pathOps: Record<string, number> = {};
  for (const node of [...path].reverse()) {
    const dys = node.outputs.map((o) => (o ? total(o) : undefined));
    if (dys.every((d) => d === undefined)) continue;
    pathOps[node.opType] = (pathOps[node.opType] ?? 0) + 1;
    const rule = GRADIENT_RULES[node.opType]!;
    const differentiable = new Set(rule.differentiable ?? node.inputs.map((_, i) => i));
    const ctx: RuleContext = {
      node,
      e,
      opset: forward.opset,
      input: (i) => node.inputs[i]!,
      output: (i) => node.outputs[i]!,
      dy: (i = 0) => dys[i],
      wants: (i) => differentiable.has(i) && active.has(node.inputs[i] ?? ''),
      rank: (name) => {
        const rank = forward.rankOf(name);
        if (rank === undefined) {
          throw new Error(
            `VJP: the rank of '${name}' (${node.opType} node '${node.name}') could not be inferred statically; declare it in the model's value_info`,
          );
        }
        return rank;
      },
      elemType: (name) => forward.elemType(name),
      constInts: (name) => {
        const v = forward.known.get(name)?.value;
        return v?.every((x) => x !== null) ? (v as number[]) : undefined;
      },
    };
    let grads: (string | undefined)[];
    try {
      grads = rule.vjp(ctx);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(
        message.includes(node.name) ? message : `${message} (${node.opType} node '${node.name}')`,
        {
          cause: error,
        },
      );
    }
    node.inputs.forEach((input, i) => {
      const grad = grads[i];
      if (grad && input && ctx.wants(i)) add(input, grad);
    });
  }

  const graph = model.graph!;
  const gradientOutputs: string[] = [];
  const outputInfos: onnx.IValueInfoProto[] = [];
  for (const name of resolved.wrt) {
    const summed = total(name);
    if (!summed)
      throw new Error(`VJP: input '${name}' does not reach outputs [${resolved.outputs.join(', ')}]`);
    const outName = `${GRADIENT_PREFIX}${name}`;
    e.nodes.push({ opType: 'Identity', name: `vjp/out/${name}`, input: [summed], output: [outName] });
    const info = forward.graphInputs.find((i) => i.name === name)!;
    outputInfos.push({ ...info, name: outName });
    gradientOutputs.push(outName);
  }
  const cotangentInputs = resolved.outputs.map((o) => `${COTANGENT_PREFIX}${o}`);
  const cotangentInfos = resolved.outputs.map((o, i): onnx.IValueInfoProto => {
    const declared = forward.graphOutputs.find((g) => g.name === o);
    if (declared) return { ...declared, name: cotangentInputs[i]! };
    const elemType = forward.elemType(o) ?? 1;
    return { name: cotangentInputs[i]!, type: { tensorType: { elemType } } };
  });
  const forwardOutputs =
    (options.includeForwardOutputs ?? true)
      ? resolved.outputs.map(
          (o) =>
            forward.graphOutputs.find((g) => g.name === o) ?? {
              name: o,
              type: { tensorType: { elemType: forward.elemType(o) ?? 1 } },
            },
        )
      : [];
  const vjpGraph: onnx.IGraphProto = {
    name: `${graph.name ?? 'graph'}_vjp`,
    node: [...(graph.node ?? []), ...e.nodes],
    initializer: [...(graph.initializer ?? []), ...e.initializers],
    input: [...(graph.input ?? []), ...cotangentInfos],
    output: [...outputInfos, ...forwardOutputs],
    valueInfo: graph.valueInfo ?? [],
  };
  return {
    model: { ...model, graph: vjpGraph, opsetImport: withMinimumOpset(model, forward.opset) },
    cotangentInputs,
    gradientOutputs,
    report: { pathNodes: path.length, backwardNodes: e.nodes.length, pathOps },
  };
}

function withMinimumOpset(model: onnx.IModelProto, opset: number): onnx.IOperatorSetIdProto[] {
  return (model.opsetImport ?? []).map((o) =>
    !o.domain || o.domain === 'ai.onnx' ? { ...o, version: opset } : o,
  );
}

interface Resolved {
  readonly outputs: readonly string[];
  readonly wrt: readonly string[];
}

function resolveOptions(forward: ForwardGraph, options: VjpOptions): Resolved {
  const outputs = [...new Set(options.outputs ?? forward.graphOutputs.map((o) => o.name ?? ''))];
  const wrt = [...new Set(options.wrt)];
  if (wrt.length === 0) throw new Error('VJP: name at least one input to differentiate (wrt)');
  if (outputs.length === 0) throw new Error('VJP: name at least one output whose cotangent is given');
  const inputNames = forward.graphInputs.map((i) => i.name ?? '');
  for (const name of wrt) {
    const info = forward.graphInputs.find((i) => i.name === name);
    if (!info) throw new Error(`VJP: '${name}' is not a graph input; inputs: ${inputNames.join(', ')}`);
    if (!isFloatType(info.type?.tensorType?.elemType ?? undefined)) {
      throw new Error(`VJP: input '${name}' is not a float tensor; only float inputs can be differentiated`);
    }
  }
  const produced = new Set(forward.nodes.flatMap((n) => n.outputs));
  for (const name of outputs) {
    if (!produced.has(name) && !inputNames.includes(name)) {
      throw new Error(
        `VJP: '${name}' is not a value of the graph; outputs: ${forward.graphOutputs.map((o) => o.name).join(', ')}`,
      );
    }
  }
  return { outputs, wrt };
}

/**
 * Forward pass: which values depend on a differentiated input (through differentiable edges). Backward
 * pass: which of those nodes reach a chosen output. The nodes in both are the path.
 */
function analyse(forward: ForwardGraph, options: Resolved) {
  const active = new Set<string>(options.wrt);
  const candidates: ForwardNode[] = [];
  for (const node of forward.nodes) {
    if (node.opType === 'Constant' || NON_DIFFERENTIABLE_OPS.has(node.opType)) continue;
    const rule = GRADIENT_RULES[node.opType];
    const standard = node.domain === '' || node.domain === 'ai.onnx';
    const through = rule?.differentiable ?? node.inputs.map((_, i) => i);
    if (!through.some((i) => active.has(node.inputs[i] ?? ''))) continue;
    if (standard && node.opType === 'Cast' && !isFloatType(attrInt(node, 'to', 1))) continue;
    candidates.push(node);
    for (const output of node.outputs) {
      if (!output) continue;
      // Integer outputs (e.g. TopK's indices) carry no gradient.
      const type = forward.elemType(output);
      if (type !== undefined && !isFloatType(type)) continue;
      active.add(output);
    }
  }
  const needed = new Set<string>(options.outputs);
  const path: ForwardNode[] = [];
  for (const node of [...candidates].reverse()) {
    if (!node.outputs.some((o) => needed.has(o))) continue;
    path.push(node);
    for (const input of node.inputs) if (active.has(input)) needed.add(input);
  }
  path.reverse();
  const missing = new Map<string, string>();
  for (const node of path) {
    const standard = node.domain === '' || node.domain === 'ai.onnx';
    const key = standard ? node.opType : `${node.domain}.${node.opType}`;
    if ((!standard || !GRADIENT_RULES[node.opType]) && !missing.has(key)) missing.set(key, node.name);
  }
  return { path, active, missing };
}
