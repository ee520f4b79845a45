// TPT's 64 test-time views of one photo in one onnxruntime call. Per view the JS pipeline copied the crop
// out of the photo, resized it (one session call each), flipped it and wrote 3·224² floats: on a 2-core
// machine that was ~10 % of encoding the views with ViT-B/32. Here one graph does it all natively: the
// photo goes in once as its interleaved bytes; each crop is a Slice feeding the same antialiased Resize as
// PilResize (so the pixels are the same bytes), each flip a reversed Slice, ToTensor a Transpose, a Cast and
// a Div. Measured on 4 photos at 2 threads: about half the time of the per-crop path; what is left is
// almost all the Resize kernel's own arithmetic (bench-scale README).
import onnxProto from 'onnx-proto';
import { Tensor } from 'onnxruntime-node';
import type { OnnxBackend } from './backend.js';
import { pilResizeAttributes } from './resize-graph.js';
import type { OnnxSession } from './session.js';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** An 8-bit photo as decoded: interleaved HWC with 1, 3 or 4 channels (alpha is dropped). */
export interface InterleavedBytes {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Where each view comes from (@attune/data's ViewPlan has this shape). */
export interface ViewsGraphPlan {
  /** Output side: every view is size × size. */
  readonly size: number;
  /** View 0: the photo resized to `resize` (bicubic) when set, then the size² crop at (left, top). */
  readonly first: {
    readonly resize?: { readonly width: number; readonly height: number };
    readonly left: number;
    readonly top: number;
  };
  /** Views 1..: a box of the photo resized to size² (bilinear), mirrored left–right when `flip`. */
  readonly crops: readonly {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
    readonly flip: boolean;
  }[];
}

/** The views as ToTensor gives them: [views, 3, size, size] in [0,1], grey photos as 3 equal channels. */
export interface ViewsTensor {
  readonly data: Float32Array;
  readonly shape: readonly [views: number, channels: 3, height: number, width: number];
}

interface GraphShape {
  readonly crops: number;
  readonly stride: number;
  readonly size: number;
  readonly resizeFirst: boolean;
}

const int64 = (name: string, values: number[]) => ({
  name,
  dataType: DataType.INT64,
  dims: [values.length],
  int64Data: values,
});

/**
 * The views model for one graph shape, in NHWC, the photo's own layout (onnxruntime's antialiased Resize
 * then splits every pass over rows, so both threads work on every crop, and a crop's rows are contiguous).
 * Inputs: photo uint8 [H,W,stride]; view 0's `first_sizes` int64 [4] (when it is resized); per view i
 * `starts_i`, `ends_i` int64 [3] (top, left, channel 0 / bottom, right, channel count) and, for crops,
 * `flip_starts_i`, `flip_ends_i`, `flip_steps_i` int64 [1] (a reversed Slice along the width to mirror).
 * Output `views` float [views,3,size,size].
 */
export function viewsModel(shape: GraphShape): Uint8Array {
  const { crops, stride, size, resizeFirst } = shape;
  if (![1, 3, 4].includes(stride)) throw new Error(`views graph: expected 1, 3 or 4 channels, got ${stride}`);
  const channels = stride === 1 ? 1 : 3;
  const views = crops + 1;
  const nodes: object[] = [];
  const node = (opType: string, input: string[], output: string, attribute: object[] = []) =>
    nodes.push({ opType, input, output: [output], attribute });
  const int = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const ints = (name: string, values: number[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: values,
  });

  node('Unsqueeze', ['photo', 'axis0'], 'x'); // [1,H,W,stride]
  let first = 'x';
  if (resizeFirst) {
    node('Resize', ['x', '', '', 'first_sizes'], 'first_resized', pilResizeAttributes('bicubic'));
    first = 'first_resized';
  }
  node('Slice', [first, 'starts_0', 'ends_0', 'box_axes'], 'view_0');
  for (let i = 1; i <= crops; i++) {
    // torchvision's resized_crop: the crop (alpha left out), resized; then the flip's Slice.
    node('Slice', ['x', `starts_${i}`, `ends_${i}`, 'box_axes'], `crop_${i}`);
    node('Resize', [`crop_${i}`, '', '', 'crop_sizes'], `resized_${i}`, pilResizeAttributes('bilinear'));
    node(
      'Slice',
      [`resized_${i}`, `flip_starts_${i}`, `flip_ends_${i}`, 'width_axis', `flip_steps_${i}`],
      `view_${i}`,
    );
  }
  node(
    'Concat',
    Array.from({ length: views }, (_, i) => `view_${i}`),
    'stacked',
    [int('axis', 0)],
  );
  node('Transpose', ['stacked'], 'planar', [ints('perm', [0, 3, 1, 2])]);
  node('Cast', ['planar'], 'levels', [int('to', DataType.FLOAT)]);
  // ToTensor: level / 255 in float32 (the same value as Math.fround(level / 255) for all 256 levels).
  node('Div', ['levels', 'full_scale'], channels === 1 ? 'grey' : 'views');
  if (channels === 1) node('Expand', ['grey', 'rgb_shape'], 'views');

  const tensorType = (elemType: number, dims: (number | string)[]) => ({
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  });
  const input = (name: string, elemType: number, dims: (number | string)[]) => ({
    name,
    type: tensorType(elemType, dims),
  });
  const perView = (i: number) => [
    input(`starts_${i}`, DataType.INT64, [3]),
    input(`ends_${i}`, DataType.INT64, [3]),
    ...(i === 0
      ? []
      : ['flip_starts', 'flip_ends', 'flip_steps'].map((name) => input(`${name}_${i}`, DataType.INT64, [1]))),
  ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@attune/backend-onnx',
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: `test_time_views_${views}x${size}`,
      node: nodes,
      initializer: [
        int64('axis0', [0]),
        int64('box_axes', [1, 2, 3]),
        int64('width_axis', [2]),
        int64('crop_sizes', [1, size, size, channels]),
        { name: 'full_scale', dataType: DataType.FLOAT, dims: [], floatData: [255] },
        ...(channels === 1 ? [int64('rgb_shape', [views, 3, size, size])] : []),
      ],
      input: [
        input('photo', DataType.UINT8, ['height', 'width', stride]),
        ...(resizeFirst ? [input('first_sizes', DataType.INT64, [4])] : []),
        ...Array.from({ length: views }, (_, i) => perView(i)).flat(),
      ],
      output: [{ name: 'views', type: tensorType(DataType.FLOAT, [views, 3, size, size]) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

// Slice's bounds for a mirrored copy along the width (start at the last column, step back past the first:
// INT64_MIN is the idiom for "to the start") and for a plain one.
const MIRROR = { starts: [-1n], ends: [-(2n ** 63n)], steps: [-1n] };
const KEEP = { starts: [0n], ends: [2n ** 63n - 1n], steps: [1n] };

/** Builds TPT's test-time views of a photo in onnxruntime; one cached session per graph shape (the backend's settings). */
export class TestTimeViewsGraph {
  readonly #sessions = new Map<string, Promise<OnnxSession>>();

  constructor(private readonly backend: OnnxBackend) {}

  async run(photo: InterleavedBytes, plan: ViewsGraphPlan): Promise<ViewsTensor> {
    const { data, width, height, channels: stride } = photo;
    checkPhoto(photo);
    checkPlan(plan, width, height);
    const { size, first, crops } = plan;
    const shape = { crops: crops.length, stride, size, resizeFirst: first.resize !== undefined };
    const session = await this.#session(shape);
    const channels = stride === 1 ? 1 : 3;
    const int64 = (values: readonly (number | bigint)[]) =>
      new Tensor('int64', BigInt64Array.from(values, BigInt), [values.length]);
    const feeds: Record<string, Tensor> = {
      photo: new Tensor('uint8', asBytes(data), [height, width, stride]),
      starts_0: int64([first.top, first.left, 0]),
      ends_0: int64([first.top + size, first.left + size, channels]),
    };
    if (first.resize) feeds.first_sizes = int64([1, first.resize.height, first.resize.width, stride]);
    crops.forEach((c, index) => {
      const i = index + 1;
      const flip = c.flip ? MIRROR : KEEP;
      feeds[`starts_${i}`] = int64([c.top, c.left, 0]);
      feeds[`ends_${i}`] = int64([c.top + c.height, c.left + c.width, channels]);
      feeds[`flip_starts_${i}`] = int64(flip.starts);
      feeds[`flip_ends_${i}`] = int64(flip.ends);
      feeds[`flip_steps_${i}`] = int64(flip.steps);
    });
    const { views } = await session.run(feeds);
    return { data: views!.data as Float32Array, shape: [crops.length + 1, 3, size, size] };
  }

  #session(shape: GraphShape): Promise<OnnxSession> {
    const key = JSON.stringify(shape);
    let session = this.#sessions.get(key);
    if (!session) {
      session = this.backend.load(viewsModel(shape));
      session.catch(() => this.#sessions.delete(key));
      this.#sessions.set(key, session);
    }
    return session;
  }
}

function asBytes(data: Uint8Array | Uint8ClampedArray): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
}

function checkPhoto({ data, width, height, channels }: InterleavedBytes): void {
  if (![width, height].every((v) => Number.isInteger(v) && v >= 1) || ![1, 3, 4].includes(channels)) {
    throw new Error(
      `views: expected an interleaved 8-bit photo [H,W,1|3|4] with positive sizes, got [${height},${width},${channels}]`,
    );
  }
  if (data.length !== width * height * channels) {
    throw new Error(
      `views: expected ${width * height * channels} bytes for [${height},${width},${channels}], got ${data.length}`,
    );
  }
}

function checkPlan(plan: ViewsGraphPlan, width: number, height: number): void {
  const { size, first, crops } = plan;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`views: size must be an integer >= 1, got ${size}`);
  const fw = first.resize?.width ?? width;
  const fh = first.resize?.height ?? height;
  if (first.left < 0 || first.top < 0 || first.left + size > fw || first.top + size > fh) {
    throw new Error(
      `views: view 0's ${size}x${size} crop at (${first.left}, ${first.top}) does not fit its ${fw}x${fh} image`,
    );
  }
  crops.forEach((c, i) => {
    const fits = c.left >= 0 && c.top >= 0 && c.width >= 1 && c.height >= 1;
    if (!fits || c.left + c.width > width || c.top + c.height > height) {
      throw new Error(
        `views: crop ${i + 1} (${c.width}x${c.height} at ${c.left}, ${c.top}) does not fit the ${width}x${height} photo`,
      );
    }
  });
}
