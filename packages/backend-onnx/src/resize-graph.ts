// PIL's antialiased bilinear and bicubic resize of 8-bit images, in onnxruntime: one ONNX Resize node (opset 18,
// `antialias` = 1, the attribute ONNX added to match PIL's `Image.resize`). TPT's views are PIL resizes of
// random crops; in JS (@attune/data's resample-bytes, PIL bit for bit) they cost about a fifth of encoding the
// views with ViT-B/32, natively a few times less. onnxruntime's kernel differs from PIL's fixed-point passes
// by at most one level in a few pixels per ten thousand (test/resize-graph.test.ts), the tolerance
// @attune/data's augmentation tests allow against torchvision.
import onnxProto from 'onnx-proto';
import { Tensor } from 'onnxruntime-node';
import type { OnnxBackend } from './backend.js';
import type { OnnxSession } from './session.js';

const { onnx } = onnxProto;

export type PilResizeFilter = 'bilinear' | 'bicubic';

/** A planar 8-bit image [channels, height, width], as @attune/data's ByteImage. */
export interface PlanarBytes {
  readonly data: Uint8Array;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
}

/** An image and the size and filter to resize it to (the shape of @attune/data's CropToResize). */
export interface ResizeRequest extends PlanarBytes {
  readonly outWidth: number;
  readonly outHeight: number;
  /** Default 'bilinear'. */
  readonly filter?: PilResizeFilter;
}

/**
 * The Resize attributes that make onnxruntime resize as PIL does: half_pixel coordinates, exclude_outside = 1
 * (taps outside the image dropped and the rest renormalised), antialias = 1 (the kernel widened by the
 * downscale factor) and, for bicubic, a = −0.5.
 */
export function pilResizeAttributes(filter: PilResizeFilter): object[] {
  const attribute = (name: string, value: number | string) =>
    typeof value === 'number'
      ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value }
      : { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
  return [
    attribute('mode', filter === 'bilinear' ? 'linear' : 'cubic'),
    ...(filter === 'bicubic'
      ? [{ name: 'cubic_coeff_a', type: onnx.AttributeProto.AttributeType.FLOAT, f: -0.5 }]
      : []),
    attribute('antialias', 1),
    attribute('exclude_outside', 1),
    attribute('coordinate_transformation_mode', 'half_pixel'),
  ];
}

/**
 * The Resize model: x uint8 [1,C,H,W], sizes int64 [4] -> y uint8 [1,C,h,w], with pilResizeAttributes.
 */
export function pilResizeModel(filter: PilResizeFilter): Uint8Array {
  const dims = (names: string[]) => ({ dim: names.map((dimParam) => ({ dimParam })) });
  const uint8 = (name: string, shape: string[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8, shape: dims(shape) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@attune/backend-onnx',
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: `pil_${filter}_resize`,
      node: [
        {
          opType: 'Resize',
          input: ['x', '', '', 'sizes'],
          output: ['y'],
          attribute: pilResizeAttributes(filter),
        },
      ],
      input: [
        uint8('x', ['n', 'c', 'h', 'w']),
        {
          name: 'sizes',
          type: {
            tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimValue: 4 }] } },
          },
        },
      ],
      output: [uint8('y', ['n', 'c', 'oh', 'ow'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Resizes planar 8-bit images [C,H,W] in onnxruntime, as PIL's `Image.resize` (to about one level). */
export class PilResize {
  private constructor(private readonly sessions: Record<PilResizeFilter, OnnxSession>) {}

  /** A resizer on `backend`'s sessions (its threads and execution providers; cached with them). */
  static async create(backend: OnnxBackend): Promise<PilResize> {
    const [bilinear, bicubic] = await Promise.all([
      backend.load(pilResizeModel('bilinear')),
      backend.load(pilResizeModel('bicubic')),
    ]);
    return new PilResize({ bilinear, bicubic });
  }

  /** Resizes `request` ([channels, height, width] bytes) to [channels, outHeight, outWidth]. */
  async resize(request: ResizeRequest): Promise<PlanarBytes> {
    const { data, channels, width, height, outWidth, outHeight, filter = 'bilinear' } = request;
    const session = this.sessions[filter];
    if (!session)
      throw new Error(`resize: filter must be 'bilinear' or 'bicubic', got ${JSON.stringify(filter)}`);
    if (data.length !== channels * width * height) {
      throw new Error(
        `resize: expected ${channels}x${height}x${width} = ${channels * width * height} bytes, got ${data.length}`,
      );
    }
    if (!(Number.isInteger(outWidth) && Number.isInteger(outHeight) && outWidth >= 1 && outHeight >= 1)) {
      throw new Error(`resize: expected a positive integer output size, got ${outWidth}x${outHeight}`);
    }
    const sizes = BigInt64Array.from([1n, BigInt(channels), BigInt(outHeight), BigInt(outWidth)]);
    const outputs = await session.run({
      x: new Tensor('uint8', data, [1, channels, height, width]),
      sizes: new Tensor('int64', sizes, [4]),
    });
    return { data: outputs.y!.data as Uint8Array, channels, width: outWidth, height: outHeight };
  }
}
