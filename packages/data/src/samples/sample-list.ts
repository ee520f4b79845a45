import { readFileSync, writeFileSync } from 'node:fs';
import {
  CORRUPTION_NAMES,
  type CorruptionName,
  isCorruptionName,
  type Severity,
} from '../corruptions/corrupt.js';
import { DATASET_NAMES, type DatasetName, isDatasetName } from '../readers/datasets.js';
import { SPLITS, type Split } from '../readers/labelled-idx.js';
import { isRenditionName, RENDITION_NAMES, type RenditionName } from '../renditions/rendition.js';

/** The clean image: no corruption, severity 0. */
export const NO_CORRUPTION = 'none';

/**
 * One pinned benchmark sample: which image, which corruption (or natural-style rendition, see
 * renditions/rendition.ts) at which severity, with which seed.
 */
export interface SampleEntry {
  readonly dataset: DatasetName;
  readonly split: Split;
  readonly index: number;
  readonly corruption: CorruptionName | RenditionName | typeof NO_CORRUPTION;
  readonly severity: Severity | 0;
  readonly seed: number;
}

export const SAMPLE_LIST_COLUMNS = ['dataset', 'split', 'index', 'corruption', 'severity', 'seed'] as const;
const HEADER = SAMPLE_LIST_COLUMNS.join('\t');

/** A field value for an error: short plain tokens as they are, anything else only by its length. */
function shown(value: string): string {
  return /^[\w.+-]{1,24}$/.test(value) ? `"${value}"` : `(a value of ${value.length} characters)`;
}

function parseInteger(text: string, column: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new Error(`${column} ${shown(text)} is not an integer in ${min}..${max}`);
  const value = Number(text);
  if (value < min || value > max) throw new Error(`${column} ${value} is outside ${min}..${max}`);
  return value;
}

/** Validates one data line's fields; throws with what is wrong and what would be right. */
function parseEntry(fields: readonly string[]): SampleEntry {
  if (fields.length !== SAMPLE_LIST_COLUMNS.length) {
    throw new Error(
      `expected ${SAMPLE_LIST_COLUMNS.length} tab-separated fields (${SAMPLE_LIST_COLUMNS.join(', ')}), got ${fields.length}`,
    );
  }
  const [dataset, split, index, corruption, severity, seed] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!isDatasetName(dataset))
    throw new Error(`unknown dataset ${shown(dataset)}, expected one of ${DATASET_NAMES.join(', ')}`);
  if (!SPLITS.includes(split as Split))
    throw new Error(`unknown split ${shown(split)}, expected one of ${SPLITS.join(', ')}`);
  if (corruption !== NO_CORRUPTION && !isCorruptionName(corruption) && !isRenditionName(corruption)) {
    throw new Error(
      `unknown corruption ${shown(corruption)}, expected "${NO_CORRUPTION}", a corruption (${CORRUPTION_NAMES.join(', ')}) or a rendition (${RENDITION_NAMES.join(', ')})`,
    );
  }
  const severityValue =
    corruption === NO_CORRUPTION
      ? parseInteger(severity, `severity (must be 0 for "${NO_CORRUPTION}")`, 0, 0)
      : parseInteger(severity, 'severity', 1, 5);
  return {
    dataset,
    split: split as Split,
    index: parseInteger(index, 'index', 0, Number.MAX_SAFE_INTEGER),
    corruption,
    severity: severityValue as Severity | 0,
    seed: parseInteger(seed, 'seed', 0, 0xffffffff),
  };
}

function entryKey(entry: SampleEntry): string {
  return SAMPLE_LIST_COLUMNS.map((column) => entry[column]).join('\t');
}

/**
 * Parses a sample list: UTF-8 TSV, `#` comment lines and blank lines ignored, then the header
 * `dataset split index corruption severity seed`, then one sample per line. A malformed line is reported
 * with its 1-based line number and what was expected; repeated samples are rejected.
 */
export function parseSampleList(text: string, source = 'sample list'): SampleEntry[] {
  const entries: SampleEntry[] = [];
  const seen = new Map<string, number>();
  let sawHeader = false;
  text.split(/\r?\n/).forEach((line, i) => {
    const lineNumber = i + 1;
    if (line.trim() === '' || line.startsWith('#')) return;
    if (!sawHeader) {
      if (line !== HEADER) {
        throw new Error(
          // The line itself is not echoed: a wrong file (say /etc/passwd) must not be printed back.
          `${source}:${lineNumber}: expected the header "${SAMPLE_LIST_COLUMNS.join('<TAB>')}", got a line of ${line.length} characters with ${line.split('\t').length} tab-separated field(s); is this a sample list (.tsv)?`,
        );
      }
      sawHeader = true;
      return;
    }
    let entry: SampleEntry;
    try {
      entry = parseEntry(line.split('\t'));
    } catch (error) {
      throw new Error(`${source}:${lineNumber}: ${(error as Error).message}`);
    }
    const key = entryKey(entry);
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new Error(
        `${source}:${lineNumber}: repeats the sample on line ${previous}; expected each sample once`,
      );
    }
    seen.set(key, lineNumber);
    entries.push(entry);
  });
  if (!sawHeader)
    throw new Error(`${source}: expected the header "${SAMPLE_LIST_COLUMNS.join('<TAB>')}", found no lines`);
  return entries;
}

export function readSampleList(path: string): SampleEntry[] {
  return parseSampleList(readFileSync(path, 'utf8'), path);
}

/** Formats entries as a sample list; `comments` become leading `# ` lines (provenance, recipe). */
export function formatSampleList(entries: readonly SampleEntry[], comments: readonly string[] = []): string {
  const lines = [...comments.map((comment) => `# ${comment}`), HEADER, ...entries.map(entryKey)];
  // Round-trip through the parser so a bad entry can never be written.
  const text = `${lines.join('\n')}\n`;
  parseSampleList(text, 'formatSampleList');
  return text;
}

export function writeSampleList(
  path: string,
  entries: readonly SampleEntry[],
  comments: readonly string[] = [],
): void {
  writeFileSync(path, formatSampleList(entries, comments));
}
