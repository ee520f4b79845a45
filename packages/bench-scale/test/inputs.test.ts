import { describe, expect, it } from 'vitest';
import { MAX_SYNTHETIC_CLASSES, syntheticClassNames } from '../src/class-names.js';
import { formatJson, LINE_WIDTH } from '../src/json.js';
import { loadPhotos, PHOTO_PACKAGES, planarToInterleaved } from '../src/photos.js';
import { planCases } from '../src/plan.js';
import { rawStageTimes } from '../src/stages.js';

describe('synthetic class names', () => {
  it('gives C distinct names of two placeholder-vocabulary words', () => {
    const names = syntheticClassNames(1000);
    expect(names).toHaveLength(1000);
    expect(new Set(names).size).toBe(1000);
    expect(names[0]).toBe('w1000 w30000');
    expect(names[999]).toBe('w1999 w30999');
    for (const name of names) {
      for (const word of name.split(' ')) {
        const id = Number(word.slice(1));
        expect(id).toBeGreaterThanOrEqual(2);
        expect(id).toBeLessThanOrEqual(49405);
      }
    }
  });

  it('refuses counts it cannot name distinctly', () => {
    expect(() => syntheticClassNames(0)).toThrow('class count must be an integer in [1, 19405], got 0');
    expect(() => syntheticClassNames(MAX_SYNTHETIC_CLASSES + 1)).toThrow(/got 19406/);
  });
});

describe('stage names', () => {
  it('maps each method’s adaptation.ms onto one vocabulary', () => {
    expect(rawStageTimes({ prototypes: 0.1, encode: 480, predict: 30 })).toEqual({
      prototypes: 0.1,
      encode: 480,
      predict: 30,
    });
    expect(rawStageTimes({ views: 900, encode: 9000, tune: 12_000, predict: 1400 })).toEqual({
      views: 900,
      encode: 9000,
      adapt: 12_000,
      predict: 1400,
    });
    expect(rawStageTimes({ adapt: 60, generate: 5, other: Number.NaN })).toEqual({ adapt: 60 });
  });
});

describe('the plan', () => {
  it('runs the gradient methods’ probes first, then every method at C = 200 and 1000', () => {
    const cases = planCases({ quick: false });
    const tag = { main: '', probe: 'p' } as const;
    expect(cases.map((c) => `${c.method}@${c.classes}${tag[c.role]}`)).toEqual([
      'tpt@4p',
      'tpt@8p',
      'difftpt@4p',
      'difftpt@8p',
      'zeroshot@200',
      'sts@200',
      'sts-ensemble@200',
      'tpt@200',
      'difftpt@200',
      'zeroshot@1000',
      'sts@1000',
      'sts-ensemble@1000',
      'tpt@1000',
      'difftpt@1000',
    ]);
    expect(cases.every((c) => c.warmup === 1 && c.views === 64 && c.samples === 4)).toBe(true);
    expect(cases[0]!.model).toBe('shaped:clip-vit-b-32');
  });

  it("runs probes in one taped pass (classChunk = C) and leaves the main cases' chunk to the method", () => {
    const cases = planCases({ quick: false });
    expect(cases.filter((c) => c.role === 'probe').map((c) => c.chunk)).toEqual([4, 8, 4, 8]);
    expect(cases.filter((c) => c.role === 'main').every((c) => c.chunk === undefined)).toBe(true);
    const chunked = planCases({ quick: false, chunk: 4, probeClasses: [] });
    expect(chunked.filter((c) => c.chunk !== undefined).map((c) => `${c.method}@${c.classes}`)).toEqual([
      'tpt@200',
      'difftpt@200',
      'tpt@1000',
      'difftpt@1000',
    ]);
    expect(chunked.find((c) => c.method === 'tpt')!.chunk).toBe(4);
  });

  it('is smaller with --quick', () => {
    const cases = planCases({ quick: true });
    expect(cases.filter((c) => c.role === 'main').map((c) => c.classes)).toEqual([200, 200, 200, 200, 200]);
    expect(cases.filter((c) => c.role === 'probe').map((c) => c.classes)).toEqual([2, 4, 2, 4]);
    expect(cases.every((c) => c.samples === 2)).toBe(true);
  });

  it('takes a method list, samples and warm-ups, and rejects bad counts', () => {
    expect(planCases({ quick: true, methods: ['sts'] }).map((c) => c.method)).toEqual(['sts']);
    expect(planCases({ quick: true, methods: ['sts'], samples: 1, warmup: 0 })[0]).toMatchObject({
      samples: 1,
      warmup: 0,
    });
    expect(() => planCases({ quick: true, classes: [0] })).toThrow('positive integers, got 0');
    expect(() => planCases({ quick: true, samples: 0 })).toThrow('samples must be an integer >= 1, got 0');
    expect(() => planCases({ quick: true, warmup: -1 })).toThrow('warmup must be an integer >= 0, got -1');
    expect(() => planCases({ quick: true, chunk: 0 })).toThrow('chunk must be an integer >= 1, got 0');
  });
});

describe('photos', () => {
  it('converts planar floats to interleaved bytes', () => {
    // 2x1 RGB: pixel 0 = (1, 0, 0.5), pixel 1 = (0, 1, 0.2)
    const planar = new Float32Array([1, 0, 0, 1, 0.5, 0.2]);
    expect([...planarToInterleaved(planar, 2, 1, 3)]).toEqual([255, 0, 128, 0, 255, 51]);
    expect(() => planarToInterleaved(planar, 3, 1, 3)).toThrow('expected 9 values for 3x1x3, got 6');
  });

  it('loads the real photos as RGB byte images', () => {
    const photos = loadPhotos();
    expect(photos.map((p) => p.packageName)).toEqual([...PHOTO_PACKAGES]);
    for (const { image } of photos) {
      expect(image.channels).toBe(3);
      expect(Math.max(image.width, image.height)).toBe(1024);
      expect(image.data.length).toBe(image.width * image.height * 3);
    }
    expect(photos[0]!.image.width).toBe(1024);
    expect(photos[0]!.image.height).toBe(510);
  });
});

describe('formatJson', () => {
  it('writes objects expanded and short arrays of plain values on one line', () => {
    expect(formatJson({ a: 1, b: [1, 2], c: { d: 'x' }, e: [], f: {}, g: undefined, h: [[1], [2, 3]] })).toBe(
      '{\n  "a": 1,\n  "b": [1, 2],\n  "c": {\n    "d": "x"\n  },\n  "e": [],\n  "f": {},\n  "h": [[1], [2, 3]]\n}\n',
    );
  });

  it('breaks an array whose line would pass the line width, counting the comma after it', () => {
    const fits = 'x'.repeat(LINE_WIDTH - 2 - '"k": ['.length - 2 - '],'.length);
    expect(formatJson({ k: [fits], z: 0 })).toContain(`"k": ["${fits}"],`);
    expect(formatJson({ k: [`${fits}x`], z: 0 })).toContain(`"k": [\n    "${fits}x"\n  ],`);
  });

  it('writes arrays of objects one per line', () => {
    expect(formatJson([{ a: 1 }])).toBe('[\n  {\n    "a": 1\n  }\n]\n');
  });
});
