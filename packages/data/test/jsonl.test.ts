import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatJsonl, parseJsonl, readJsonl } from '../src/index.js';

describe('JSONL', () => {
  it('parses one value per line and skips blank lines', () => {
    expect(parseJsonl('{"a":1}\n\n[2,3]\r\n"x"\n')).toEqual([{ a: 1 }, [2, 3], 'x']);
  });

  it('round-trips through formatJsonl and a file', () => {
    const records = [
      { text: 'a "quoted"\nline', label: 1 },
      { text: 'é', label: 0 },
    ];
    const path = join(mkdtempSync(join(tmpdir(), 'jsonl-')), 'data.jsonl');
    writeFileSync(path, formatJsonl(records));
    expect(readJsonl(path)).toEqual(records);
  });

  it('reports the line of a value that does not parse', () => {
    expect(() => parseJsonl('{"a":1}\n{"a":\n', 'data.jsonl')).toThrow(
      /^data\.jsonl:2: expected one JSON value per line/,
    );
  });

  it('reports the line a validator rejects, with its message', () => {
    const validate = (value: unknown) => {
      if (typeof (value as { text?: unknown }).text !== 'string')
        throw new Error('expected a string "text" field');
      return value as { text: string };
    };
    expect(() => parseJsonl('{"text":"ok"}\n{"txt":"no"}\n', 'rows.jsonl', validate)).toThrow(
      'rows.jsonl:2: expected a string "text" field',
    );
  });
});
