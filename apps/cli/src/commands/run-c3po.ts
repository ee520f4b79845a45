// `attune run c3po --model zoo:mini-moe --prompt "..." [--config '{"family":"sentiment","variant":"kernel-regression"}']`:
// the base and re-mixed answers, the neighbours C3PO retrieved, and the routing before/after (top experts
// per critical layer). The references come from the model's tasks/<family>.reference.jsonl. Variants
// "ngd" (gradient steps on the neighbours' loss) and "oracle" (an upper bound: config.label, the true
// answer, is optimised for) take routing gradients from onnxruntime's VJP graph.
import type { CliIo } from '../io.js';

export interface C3poRunFlags {
  readonly prompt: string;
  readonly model?: string;
  readonly config: Record<string, unknown>;
  readonly json?: boolean;
}

const topExperts = (row: Float32Array, n = 2) =>
  Array.from(row)
    .map((w, e) => ({ e, w }))
    .sort((a, b) => b.w - a.w)
    .slice(0, n)
    .map(({ e, w }) => `e${e} ${w.toFixed(3)}`)
    .join(', ');

export async function runC3po(flags: C3poRunFlags, io: CliIo): Promise<void> {
  const { loadMoELM } = await import('@attune/models');
  const { C3PO, loadReferences } = await import('@attune/method-c3po');
  const { join } = await import('node:path');
  const { existsSync } = await import('node:fs');
  const {
    family,
    options: optionList,
    label,
    ...c3poOptions
  } = flags.config as {
    family?: string;
    options?: string[];
    label?: string;
  } & Record<string, unknown>;
  const model = await loadMoELM(flags.model ?? 'zoo:mini-moe', { threads: 1 });
  try {
    const fam = family ?? 'sentiment';
    const refPath = join(model.resolved.dir, 'tasks', `${fam}.reference.jsonl`);
    if (!existsSync(refPath)) {
      throw new Error(
        `config.family: no reference set ${refPath}; the model's tasks/ folder names the families`,
      );
    }
    const refs = await loadReferences(refPath);
    const options = optionList ?? refs[0]!.options;
    const c3po = new C3PO(model, refs, c3poOptions);
    if (c3poOptions.variant === 'oracle' && label === undefined) {
      throw new Error(
        'config.label: variant "oracle" optimises the true answer\'s loss (an upper bound, not a test-time method); pass it, e.g. {"variant":"oracle","label":"positive"}',
      );
    }
    const out = await c3po.answer(flags.prompt, options, label).finally(() => c3po.dispose());
    if (flags.json) {
      io.stdout(
        `${JSON.stringify(
          {
            base: out.base,
            remixed: out.remixed,
            alpha: out.alpha,
            losses: out.losses,
            neighbours: out.neighbours.map((n) => ({
              id: n.reference.id,
              question: n.reference.question,
              answer: n.reference.answer,
              similarity: n.similarity,
            })),
            layers: out.layers,
            routingBefore: Array.from(out.routingBefore),
            routingAfter: Array.from(out.routingAfter),
            passes: out.passes,
            gradientPasses: out.gradientPasses,
            ms: out.ms,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    const E = model.numExperts;
    const lines = [
      `base answer:     ${out.base.choice} (p ${out.base.probs[out.base.choiceIndex]!.toFixed(3)})`,
      `re-mixed answer: ${out.remixed.choice} (p ${out.remixed.probs[out.remixed.choiceIndex]!.toFixed(3)})${out.alpha !== undefined ? `  α = ${out.alpha}` : ''}`,
      c3poOptions.variant === 'oracle' ? 'neighbours (not used by the oracle):' : 'neighbours:',
      ...out.neighbours.map(
        (n) =>
          `  ${n.similarity.toFixed(3)}  ${n.reference.question.replace(/\n/g, ' ')} -> ${n.reference.answer}`,
      ),
      'routing at the last prompt token (top experts per critical layer):',
      ...out.layers.map(
        (l, k) =>
          `  layer ${l}: before ${topExperts(out.routingBefore.subarray(l * E, (l + 1) * E))} | after ${topExperts(out.routingAfter.subarray(k * E, (k + 1) * E))}`,
      ),
      ...(out.losses
        ? [
            `${c3poOptions.variant === 'oracle' ? 'oracle (upper bound: optimised on the given label)' : 'NGD'} loss per step: ${out.losses.map((v) => v.toFixed(4)).join(' ')}`,
          ]
        : []),
      `cost: ${out.passes} graph calls${out.gradientPasses ? ` (${out.gradientPasses} forward + backward)` : ''}, ${out.ms.toFixed(0)} ms`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
  } finally {
    await model.dispose();
  }
}
