import { definePlugin, Registry, z } from '@attune/registry';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import {
  ConformanceError,
  checkBadConfigRejected,
  checkCreateDispose,
  checkDeterminism,
  checkNoLeaks,
  derivedBadConfigs,
  describeConformance,
} from '../src/index.js';

interface Smoother {
  /** Softmax of seeded-noise-perturbed logits, averaged over draws: a tiny real tfjs computation. */
  smooth(logits: number[][]): number[];
  dispose(): void;
}

const config = z.object({
  draws: z.number().int().min(1).default(4),
  noise: z.number().nonnegative().default(0.1),
  temperature: z.number().positive().default(1),
  reduce: z.enum(['mean', 'max']).default('mean'),
});

type Flaw = 'none' | 'leak-per-call' | 'leak-on-create' | 'unseeded';

function smootherPlugin(name: string, flaw: Flaw = 'none') {
  return definePlugin({
    name,
    kind: 'method',
    version: '1.0.0',
    description: 'Averages softmax over noisy copies of the logits.',
    config,
    create: (cfg, context): Smoother => {
      const held = tf.scalar(cfg.temperature); // owned by the instance, freed by dispose
      const leakedOnCreate = flaw === 'leak-on-create' ? tf.zeros([2]) : undefined;
      void leakedOnCreate;
      let call = 0;
      return {
        smooth(logits) {
          call++;
          const seed = flaw === 'unseeded' ? Math.floor(Math.random() * 1e9) : (context.seed ?? 0) + call;
          if (flaw === 'leak-per-call') tf.ones([3]);
          return tf.tidy(() => {
            const x = tf.tensor2d(logits);
            const noise = tf.randomNormal([cfg.draws, ...x.shape], 0, cfg.noise, 'float32', seed);
            const probs = tf.softmax(tf.div(tf.add(tf.expandDims(x, 0), noise), held), -1);
            const reduced = cfg.reduce === 'mean' ? tf.mean(probs, [0, 1]) : tf.max(probs, [0, 1]);
            return Array.from(reduced.dataSync());
          });
        },
        dispose() {
          held.dispose();
        },
      };
    },
  });
}

const logits = [
  [2, 0.5, -1],
  [0.1, 0.2, 0.3],
];
const exercise = (instance: Smoother) => instance.smooth(logits);

// The kit run as a plugin package would run it.
describeConformance<Smoother, number[]>({ plugin: smootherPlugin('smoother'), exercise });

describe('the kit catches broken plugins', () => {
  it('derives one wrong-typed config per field from the schema', () => {
    expect(derivedBadConfigs(smootherPlugin('smoother')).map((c) => c.label)).toEqual([
      'draws = "not a number"',
      'noise = "not a number"',
      'temperature = "not a number"',
      'reduce = "__not_one_of_the_options__"',
    ]);
  });

  it('flags a tensor leaked on every call', async () => {
    const target = { plugin: smootherPlugin('leaky', 'leak-per-call'), exercise };
    await expect(checkNoLeaks(target)).rejects.toThrow(ConformanceError);
    await expect(checkNoLeaks(target)).rejects.toThrow(
      'plugin "leaky" breaks "no tensor leaks": call 2 left 1 more tensors than call 1',
    );
    tf.disposeVariables();
  });

  it('flags a tensor left behind after dispose', async () => {
    const target = { plugin: smootherPlugin('sticky', 'leak-on-create'), exercise };
    await expect(checkCreateDispose(target)).rejects.toThrow(
      /"create\/dispose": 1 tensors remain after dispose/,
    );
  });

  it('flags output that ignores the seed', async () => {
    const target = { plugin: smootherPlugin('random', 'unseeded'), exercise };
    await expect(checkDeterminism(target)).rejects.toThrow(
      /breaks "same output under the same seed": seed 1234 gave/,
    );
  });

  it('passes determinism for a seeded plugin and returns its output', async () => {
    const out = await checkDeterminism({ plugin: smootherPlugin('smoother'), exercise });
    expect(out).toHaveLength(3);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('flags a bad config the schema lets through', async () => {
    const loose = { plugin: smootherPlugin('loose'), exercise };
    await expect(
      checkBadConfigRejected(loose, { label: 'draws = 1e9', config: { draws: 1e9 }, path: 'draws' }),
    ).rejects.toThrow(
      'plugin "loose" breaks "bad config rejected with a clear error": accepted {"draws":1000000000}',
    );
  });

  it('uses the registry it is given, so needs can be met by other plugins', async () => {
    const needy = definePlugin({
      name: 'needy',
      kind: 'method',
      version: '1.0.0',
      description: 'Needs input gradients.',
      config: z.object({}),
      needs: ['input-grad'],
      create: () => ({ dispose() {} }),
    });
    await expect(checkCreateDispose({ plugin: needy, exercise: () => 0 })).rejects.toThrow(
      /needs "input-grad"/,
    );
    const provider = definePlugin({
      name: 'grads',
      kind: 'backend',
      version: '1.0.0',
      description: 'Provides input gradients.',
      config: z.object({}),
      provides: ['input-grad'],
      create: () => ({ dispose() {} }),
    });
    await checkCreateDispose({
      plugin: needy,
      registry: () => new Registry().register(needy).register(provider),
      exercise: () => 0,
    });
  });
});
