import { describe, expect, it } from 'vitest';
import {
  createImage,
  DETERMINISTIC_RENDITIONS,
  type FloatImage,
  jointClassNames,
  loadSample,
  loadSuite,
  parseSampleList,
  RENDITION_FAMILIES,
  RENDITION_NAMES,
  render,
  renditionFamily,
} from '../src/index.js';
import { diskOffsets, greyMorphology } from '../src/ops/morphology.js';
import { sobelMagnitude } from '../src/ops/sobel.js';
import { realImages } from './real-images.js';

const ink = (image: FloatImage) => image.data.reduce((a, b) => a + b, 0);

/** Centre of mass (x, y) of a one-channel image. */
function centroid(image: FloatImage): [number, number] {
  let sx = 0;
  let sy = 0;
  let total = 0;
  image.data.forEach((v, i) => {
    sx += v * (i % image.width);
    sy += v * Math.floor(i / image.width);
    total += v;
  });
  return [sx / total, sy / total];
}

/** A 28×28 image with a filled 10×10 square at (9..18, 9..18). */
function square(): FloatImage {
  const image = createImage(28, 28);
  for (let y = 9; y < 19; y++) for (let x = 9; x < 19; x++) image.data[y * 28 + x] = 1;
  return image;
}

describe('renditions', () => {
  const { mnist, fashion } = realImages();
  const images = [...mnist, ...fashion];

  it.each(RENDITION_NAMES)('%s: same shape, values in [0,1], the same output for the same seed', (name) => {
    for (const image of images.slice(0, 4)) {
      for (const severity of [1, 3, 5]) {
        const a = render(image, name, severity, { seed: 7 });
        expect([a.width, a.height, a.channels]).toEqual([image.width, image.height, image.channels]);
        expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...a.data)).toBeLessThanOrEqual(1);
        expect(render(image, name, severity, { seed: 7 }).data).toEqual(a.data);
        expect(a.data).not.toEqual(image.data);
      }
    }
  });

  it('the seeded renditions depend on the seed, the others do not', () => {
    const image = mnist[0]!;
    for (const name of RENDITION_NAMES) {
      const other = render(image, name, 3, { seed: 2 }).data;
      const same = render(image, name, 3, { seed: 1 }).data.every((v, i) => v === other[i]);
      expect(same, name).toBe(DETERMINISTIC_RENDITIONS.has(name));
    }
  });

  it('inverted at severity 5 is the negative', () => {
    const image = fashion[1]!;
    const out = render(image, 'inverted', 5);
    out.data.forEach((v, i) => {
      expect(v).toBeCloseTo(1 - image.data[i]!, 6);
    });
  });

  it('sketch at severity 5 keeps the outline of a filled square and empties its inside', () => {
    const out = render(square(), 'sketch', 5);
    expect(out.data[14 * 28 + 14]).toBe(0); // centre
    expect(out.data[9 * 28 + 14]).toBeGreaterThan(0.5); // top edge
    expect(out.data[2 * 28 + 2]).toBe(0); // far background
  });

  it('Sobel magnitude of a vertical step is 4 at the step (scipy.ndimage.sobel convention)', () => {
    const plane = new Float32Array(25);
    for (let y = 0; y < 5; y++) for (let x = 3; x < 5; x++) plane[y * 5 + x] = 1;
    const edges = sobelMagnitude(plane, 5, 5);
    expect(edges[2 * 5 + 2]).toBeCloseTo(4, 6);
    expect(edges[2 * 5 + 0]).toBe(0);
  });

  it('dilation by a radius-1 disk turns one pixel into a cross; erosion removes it', () => {
    expect(diskOffsets(1)).toHaveLength(5);
    expect(diskOffsets(1.5)).toHaveLength(9);
    const plane = new Float32Array(49);
    plane[3 * 7 + 3] = 1;
    const dilated = greyMorphology(plane, 7, 7, 1, 'dilate');
    expect([...dilated].reduce((a, b) => a + b, 0)).toBe(5);
    expect(dilated[2 * 7 + 3]).toBe(1);
    expect(dilated[2 * 7 + 2]).toBe(0);
    expect([...greyMorphology(plane, 7, 7, 1, 'erode')].every((v) => v === 0)).toBe(true);
  });

  it('thick adds ink and thin removes it, more with severity', () => {
    for (const image of mnist) {
      const [t1, t5] = [1, 5].map((s) => ink(render(image, 'thick', s))) as [number, number];
      const [n1, n5] = [1, 5].map((s) => ink(render(image, 'thin', s))) as [number, number];
      expect(t1).toBeGreaterThan(ink(image));
      expect(t5).toBeGreaterThan(t1);
      expect(n1).toBeLessThan(ink(image));
      expect(n5).toBeLessThan(n1);
    }
  });

  it('zoom_out shrinks the glyph about the centre; translate moves it by about the table shift', () => {
    const image = square();
    const small = render(image, 'zoom_out', 5); // 0.4 of the size: ink area scales by 0.16
    expect(ink(small) / ink(image)).toBeCloseTo(0.16, 1);
    const [cx, cy] = centroid(small);
    expect(cx).toBeCloseTo(13.5, 1);
    expect(cy).toBeCloseTo(13.5, 1);
    const moved = render(image, 'translate', 5, { seed: 3 });
    const [mx, my] = centroid(moved);
    expect(Math.hypot(mx - 13.5, my - 13.5)).toBeGreaterThan(5);
    expect(Math.hypot(mx - 13.5, my - 13.5)).toBeLessThan(8);
  });

  it('zoom_in enlarges the glyph (more ink), stylised keeps the glyph brighter than the page', () => {
    const image = square();
    expect(ink(render(image, 'zoom_in', 5))).toBeGreaterThan(1.5 * ink(image));
    const styled = render(image, 'stylised', 3, { seed: 5 });
    let inside = 0;
    let outside = 0;
    styled.data.forEach((v, i) => {
      if (image.data[i]! > 0) inside += v / 100;
      else outside += v / (784 - 100);
    });
    expect(inside).toBeGreaterThan(outside);
    expect(outside).toBeGreaterThan(0);
  });

  it('families and bad input', () => {
    expect(renditionFamily('sketch')).toBe('rendition');
    expect(renditionFamily('thin')).toBe('stroke');
    expect(renditionFamily('translate')).toBe('framing');
    expect(Object.values(RENDITION_FAMILIES).flat()).toEqual([...RENDITION_NAMES]);
    expect(() => render(square(), 'cartoon', 3)).toThrow(
      /unknown rendition "cartoon", expected one of sketch/,
    );
    expect(() => render(square(), 'sketch', 6)).toThrow(/severity must be an integer in 1\.\.5, got 6/);
    expect(() => render(square(), 'translate', 3, { seed: -1 })).toThrow(/seed/);
  });
});

describe('shift samples', () => {
  it('a sample list line may name a rendition; an unknown name lists both kinds', () => {
    const header = 'dataset\tsplit\tindex\tcorruption\tseverity\tseed';
    const [entry] = parseSampleList(`${header}\nmnist\ttest\t0\tsketch\t3\t1\n`);
    expect(entry!.corruption).toBe('sketch');
    expect(() => parseSampleList(`${header}\nmnist\ttest\t0\tcartoon\t3\t1\n`)).toThrow(
      /unknown corruption "cartoon", expected "none", a corruption \(gaussian_noise.*\) or a rendition \(sketch/,
    );
  });

  it("the joint label space: 20 classes, Fashion-MNIST's labels offset by 10", () => {
    const { classNames, offsets } = jointClassNames();
    expect(classNames).toHaveLength(20);
    expect(offsets).toEqual({ mnist: 0, 'fashion-mnist': 10 });
    const entry = {
      dataset: 'fashion-mnist',
      split: 'test',
      index: 0,
      corruption: 'sketch',
      severity: 3,
      seed: 1,
    } as const;
    const own = loadSample(entry);
    const joint = loadSample(entry, { labelSpace: 'joint' });
    expect(joint.label).toBe(own.label + 10);
    expect(joint.classNames[joint.label]).toBe(own.className);
    expect(joint.image.data).toEqual(own.image.data);
    expect(() => loadSample(entry, { labelSpace: 'both' as never })).toThrow(/unknown label space "both"/);
  });

  it('the shift suites cover all 8 renditions on both datasets', () => {
    for (const name of ['shift-short', 'shift-full'] as const) {
      const list = loadSuite(name);
      expect(new Set(list.map((e) => e.corruption))).toEqual(new Set(RENDITION_NAMES));
      expect(new Set(list.map((e) => e.dataset))).toEqual(new Set(['mnist', 'fashion-mnist']));
      expect(new Set(list.map((e) => e.severity))).toEqual(new Set([3]));
    }
  });
});
