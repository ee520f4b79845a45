import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatSampleList,
  parseSampleList,
  readSampleList,
  type SampleEntry,
  writeSampleList,
} from '../src/index.js';

const HEADER = 'dataset\tsplit\tindex\tcorruption\tseverity\tseed';
const entries: SampleEntry[] = [
  { dataset: 'mnist', split: 'test', index: 0, corruption: 'fog', severity: 5, seed: 4294967295 },
  { dataset: 'fashion-mnist', split: 'train', index: 59999, corruption: 'none', severity: 0, seed: 0 },
];

const withLine = (line: string) => `# a comment\n${HEADER}\nmnist\ttest\t1\tsnow\t2\t7\n${line}\n`;

describe('sample lists', () => {
  it('round-trips through text and files, keeping comments out of the entries', () => {
    const text = formatSampleList(entries, ['made by a test']);
    expect(text.startsWith(`# made by a test\n${HEADER}\n`)).toBe(true);
    expect(parseSampleList(text)).toEqual(entries);
    const path = join(mkdtempSync(join(tmpdir(), 'list-')), 'x.tsv');
    writeSampleList(path, entries);
    expect(readSampleList(path)).toEqual(entries);
  });

  it.each([
    [
      'mnist\ttest\t1\tfog\t5',
      'x.tsv:4: expected 6 tab-separated fields (dataset, split, index, corruption, severity, seed), got 5',
    ],
    ['cifar\ttest\t1\tfog\t5\t1', 'x.tsv:4: unknown dataset "cifar", expected one of mnist, fashion-mnist'],
    ['mnist\tval\t1\tfog\t5\t1', 'x.tsv:4: unknown split "val", expected one of train, test'],
    ['mnist\ttest\t-1\tfog\t5\t1', 'x.tsv:4: index "-1" is not an integer in 0..'],
    [
      'mnist\ttest\t1\tsmog\t5\t1',
      'x.tsv:4: unknown corruption "smog", expected "none", a corruption (gaussian_noise, shot_noise',
    ],
    ['mnist\ttest\t1\tfog\t6\t1', 'x.tsv:4: severity 6 is outside 1..5'],
    ['mnist\ttest\t1\tnone\t3\t1', 'x.tsv:4: severity (must be 0 for "none") 3 is outside 0..0'],
    ['mnist\ttest\t1\tfog\t5\t4294967296', 'x.tsv:4: seed 4294967296 is outside 0..4294967295'],
    ['mnist\ttest\t1\tfog\t5\t1.5', 'x.tsv:4: seed "1.5" is not an integer in 0..4294967295'],
    ['mnist\ttest\t1\tsnow\t2\t7', 'x.tsv:4: repeats the sample on line 3; expected each sample once'],
  ])('reports a malformed line with its number: %s', (line, message) => {
    expect(() => parseSampleList(withLine(line), 'x.tsv')).toThrow(message);
  });

  it('requires the header first', () => {
    expect(() => parseSampleList('mnist\ttest\t1\tfog\t5\t1\n', 'y.tsv')).toThrow(
      'y.tsv:1: expected the header "dataset<TAB>split<TAB>index<TAB>corruption<TAB>severity<TAB>seed", got a line of 20 characters with 6 tab-separated field(s)',
    );
    // A file that is not a sample list is never echoed back.
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';
    expect(() => parseSampleList(passwd, '/etc/passwd')).toThrow(/is this a sample list/);
    try {
      parseSampleList(passwd, '/etc/passwd');
    } catch (error) {
      expect((error as Error).message).not.toContain('root:x');
    }
    expect(() =>
      parseSampleList(
        `${'dataset\tsplit\tindex\tcorruption\tseverity\tseed'}\nroot:x:0:0\ttest\t1\tnone\t0\t1\n`,
        'p.tsv',
      ),
    ).toThrow('p.tsv:2: unknown dataset (a value of 10 characters)');
    expect(() => parseSampleList('# only a comment\n', 'z.tsv')).toThrow('z.tsv: expected the header');
  });

  it('refuses to write an invalid entry', () => {
    const bad = { ...entries[0]!, severity: 9 } as unknown as SampleEntry;
    expect(() => formatSampleList([bad])).toThrow('formatSampleList:2: severity 9 is outside 1..5');
  });
});
