import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMnist } from '@attune/data';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const workspace = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'attune-run-'));
const digit = join(dir, 'digit.png');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // MNIST test image 0 (a seven) saved as an RGB PNG, as a user's file would be.
  const mnist = loadMnist('test');
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 28 * 28; i++) {
    const v = mnist.images[i]!;
    png.data.set([v, v, v, 255], i * 4);
  }
  writeFileSync(digit, PNG.sync.write(png));
});

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: workspace },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune run', () => {
  it('tpt on a real digit: prediction, top-5 and what adaptation did', () => {
    const { code, stdout, stderr } = attune('run', 'tpt', '--image', digit, '--dataset', 'mnist');
    expect(stderr).not.toMatch(/attune:/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction: seven');
    expect(lines.slice(2, 7)).toHaveLength(5);
    expect(lines[2]).toMatch(/^ {2}seven +\d+\.\d\d%$/);
    expect(stdout).toMatch(/entropy before \d\.\d{4}, after \d\.\d{4}/);
    expect(stdout).toMatch(/views kept 6, steps 1/);
    expect(stdout).toMatch(/time \d+ ms \(views \d+, encode \d+, tune \d+, predict \d+\)/);
  }, 120_000);

  it('takes explicit classes and prints JSON', () => {
    const { code, stdout } = attune(
      'run',
      'zeroshot',
      '--image',
      digit,
      '--classes',
      'one,seven,nine',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.prediction).toBe('seven');
    expect(result.probs).toHaveLength(3);
    expect(result.probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  }, 120_000);

  it('fails in one line on a missing image, an unknown method and a non-method plugin', () => {
    expect(attune('run', 'tpt', '--image', join(dir, 'nope.png')).stderr).toBe(
      `attune: --image: no such file ${join(dir, 'nope.png')}\n`,
    );
    const typo = attune('run', 'tpp', '--image', digit);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^attune: unknown plugin "tpp"\. Did you mean "tpt"\?/);
    expect(attune('run', 'backend-onnx', '--image', digit).stderr).toBe(
      'attune: "backend-onnx" is a backend plugin; run takes a method\n',
    );
    expect(attune('run', 'zeroshot', '--image', digit, '--classes', 'a,a').stderr).toMatch(
      /^attune: .*duplicate/i,
    );
  }, 120_000);
});

describe('attune run: bad configs and images are one-line errors naming the problem', () => {
  it.each([
    ['[1,2]', `--config must be a JSON object, e.g. '{"steps":4}', got an array`],
    ['null', `--config must be a JSON object, e.g. '{"steps":4}', got null`],
    ['4', `--config must be a JSON object, e.g. '{"steps":4}', got a number`],
    ['{"stepz":2}', 'unknown option "stepz" for tpt; did you mean "steps"?'],
    ['{"views":1e9}', 'invalid config for plugin "tpt": views: expected <= 1024, got 1000000000 (number)'],
  ])(
    '--config %s',
    (config, message) => {
      const r = attune('run', 'tpt', '--image', digit, '--config', config);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
    },
    120_000,
  );

  it('an image that is not an image names the file and never echoes its content', () => {
    const fake = join(dir, 'passwd.png');
    writeFileSync(fake, 'root:x:0:0:root:/root:/bin/bash\n');
    const r = attune('run', 'zeroshot', '--image', fake);
    expect(r.stderr).toBe(
      `attune: ${fake}: not a PNG or JPEG image (its first bytes match neither format); expected a PNG or JPEG image\n`,
    );
  }, 120_000);
});

describe('attune run with a text method', () => {
  const question = 'Zoe has 18 oranges. Zoe buys 33 more oranges. How many oranges does Zoe have now?';

  it("qalign prints the chain's answer, acceptance rate and vote counts", () => {
    const { code, stdout, stderr } = attune(
      'run',
      'qalign',
      '--model',
      'zoo:mini-lm',
      '--reward',
      'zoo:mini-rm',
      '--prompt',
      question,
      '--steps',
      '8',
      '--config',
      '{"maxNewTokens":24}',
    );
    expect(stderr).not.toMatch(/attune:/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^answer: /);
    expect(lines[1]).toMatch(/^acceptance rate: \d+\.\d% \(\d+ of 8 steps accepted, \d+ distinct states\)$/);
    expect(lines[2]).toBe('votes (9 chain states):');
    const counts = lines.slice(3).filter((l) => /^ {2}\S.* +\d+ {2}\d+\.\d%$/.test(l));
    expect(counts.reduce((n, l) => n + Number(l.trim().split(/ +/).at(-2)), 0)).toBe(9);
    expect(stdout).toMatch(/compute: \d+ LM tokens \(.+ FLOPs\), 9 reward evaluations/);
    // The chain's accepted states, each with its reward and the steps it held (9 states' worth in all).
    const distinct = Number(/(\d+) distinct states/.exec(lines[1]!)![1]);
    expect(lines).toContain(
      `chain: ${distinct} states (y0 and ${distinct - 1} accepted proposals); step entered, answer, reward, steps held:`,
    );
    const states = lines.filter((l) =>
      /^ {2}step +\d+ +\S+ +reward +-?\d+\.\d{3} +held +\d+ {2}".*"$/.test(l),
    );
    expect(states).toHaveLength(distinct);
    expect(states[0]).toMatch(/^ {2}step 0 /);
    expect(states.reduce((n, l) => n + Number(/held +(\d+)/.exec(l)![1]), 0)).toBe(9);
    expect(stdout).toMatch(
      /by answer \(steps held, mean reward of its states\):\n {2}\S+ +\d+ {2}mean reward -?\d/,
    );
    // The shared progress bar, on stderr (non-terminal form here).
    expect(stderr).toMatch(/qalign 8\/8 \|/);
  }, 120_000);

  it('majority vote as JSON, and one-line errors for flags that do not apply', () => {
    const mv = attune(
      'run',
      'majority-vote',
      '--prompt',
      question,
      '--n',
      '3',
      '--config',
      '{"maxNewTokens":16}',
      '--json',
    );
    expect(mv.code).toBe(0);
    const result = JSON.parse(mv.stdout);
    expect(result.method).toBe('majority-vote');
    expect(result.outputs).toBe(3);
    expect(result.votes.reduce((n: number, v: { count: number }) => n + v.count, 0)).toBe(3);
    expect(attune('run', 'best-of-n', '--prompt', question, '--steps', '4').stderr).toMatch(
      /^attune: --steps does not apply to best-of-n \(it has no "steps" option/,
    );
    expect(attune('run', 'qalign', '--steps', '4').stderr).toBe(
      'attune: --prompt is required: qalign answers a text prompt\n',
    );
    expect(attune('run', 'qalign', '--prompt', question, '--steps', '0').stderr).toBe(
      'attune: --steps must be an integer >= 1, got "0"\n',
    );
    expect(attune('run', 'qalign', '--prompt', question, '--config', '{"beta":0}').stderr).toMatch(
      /^attune: invalid config for plugin "qalign": beta: expected > 0, got 0/,
    );
    expect(attune('run', 'tpt', '--prompt', question).stderr).toBe(
      'attune: --image <file> or --images <dir> is required: tpt classifies images\n',
    );
  }, 120_000);
});
