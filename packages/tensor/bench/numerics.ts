// Speed of the numerics that dominate method set-up and per-sample cost. Not a test: run with `pnpm bench`.
//   - thinSvd of a 1000×512 matrix: STS factorises its class prototypes once per class set (ImageNet:
//     1000 classes × 512-D CLIP features).
//   - marginal entropy of 64×1000 logits: TPT's loss over 64 views and 1000 classes, forward and with
//     its gradient.
import { formatTable, measure } from '@attune/timing';
import {
  createRng,
  gavishDonohoRank,
  marginalEntropy,
  normalTensor,
  selectConfidentViews,
  tf,
  thinSvd,
} from '../src/index.js';

const rng = createRng(0).fork('bench');
const rows = 1000;
const cols = 512;
// rank-20 signal plus noise, like normalised class prototypes
const signal = tf.tidy(() => tf.matMul(normalTensor(rng, [rows, 20]), normalTensor(rng, [20, cols])));
const noise = normalTensor(rng, [rows, cols], 0, 0.5);
const matrix = tf.add(signal, noise) as tf.Tensor2D;
const matrixData = { data: matrix.dataSync() as Float32Array, shape: [rows, cols] as [number, number] };

const logits = tf.tidy(() => tf.add(tf.scalar(20), normalTensor(rng, [64, 1000], 0, 3))) as tf.Tensor2D;
const lossAndGrad = tf.valueAndGrad((x: tf.Tensor) => marginalEntropy(x as tf.Tensor2D));

await tf.ready();
let rank = 0;
const results: [string, ReturnType<typeof measure>][] = [
  [
    `thinSvd ${rows}×${cols} (U, S, V) + Gavish–Donoho rank`,
    measure(
      () => {
        const svd = thinSvd(matrixData);
        rank = gavishDonohoRank(svd.S, rows, cols);
      },
      { warmup: 1, runs: 3 },
    ),
  ],
  [
    'marginalEntropy 64×1000 (forward)',
    measure(() => marginalEntropy(logits).dispose(), { warmup: 5, runs: 30 }),
  ],
  [
    'marginalEntropy 64×1000 (value + gradient)',
    measure(
      () => {
        const { value, grad } = lossAndGrad(logits);
        tf.dispose([value, grad]);
      },
      { warmup: 5, runs: 30 },
    ),
  ],
  [
    'selectConfidentViews 64×1000, 10%',
    measure(() => selectConfidentViews(logits, 0.1), { warmup: 5, runs: 30 }),
  ],
];

console.log(`backend: ${tf.getBackend()}; Gavish–Donoho rank of the bench matrix: ${rank}`);
console.log(
  formatTable(
    ['operation', 'runs', 'median ms', 'p95 ms'],
    results.map(([name, t]) => [name, t.runs, t.medianMs, t.p95Ms]),
  ),
);
tf.dispose([signal, noise, matrix, logits]);
