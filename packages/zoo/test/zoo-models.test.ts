import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cardParameters,
  listZoo,
  resolveModel,
  UnknownZooModelError,
  verifyModel,
  ZOO_MODELS_DIR,
  zooIds,
} from '../src/index.js';

const ids = await zooIds();

describe('the committed zoo', () => {
  it('holds mini-clip and stays within the 60 MB budget', async () => {
    expect(ids).toContain('zoo:mini-clip');
    const entries = await listZoo();
    const total = entries.reduce((s, e) => s + e.bytes, 0);
    expect(total).toBeLessThan(60e6); // the project's zoo budget (every model <= 8 MB is the per-model rule)
    const clip = entries.find((e) => e.id === 'zoo:mini-clip')!;
    expect(clip.bytes).toBeLessThan(8.5e6);
  });

  it('rejects an unknown id and lists the known ones', async () => {
    const err = await resolveModel('zoo:mini-clap').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownZooModelError);
    expect((err as Error).message).toContain('unknown zoo model "zoo:mini-clap"');
    for (const id of ids) expect((err as Error).message).toContain(id);
  });

  it('rejects a path that does not exist, naming what would be right', async () => {
    await expect(resolveModel('/nonexistent/model')).rejects.toThrow(
      /no model folder at \/nonexistent\/model; expected a zoo id/,
    );
  });
});

describe.each(ids)('%s', (id) => {
  const name = id.slice('zoo:'.length);
  const dir = join(ZOO_MODELS_DIR, name);

  it('resolves by id and by folder to the same files', async () => {
    const byId = await resolveModel(id);
    const byFolder = await resolveModel(dir);
    expect(byId.id).toBe(id);
    expect(byId.source).toBe('zoo');
    expect(byFolder.id).toBeUndefined();
    expect(byFolder.source).toBe('folder');
    expect(Object.keys(byFolder.files).sort()).toEqual(Object.keys(byId.files).sort());
    expect(byId.card?.id).toBe(id);
    expect(byId.absentOptional).toEqual([]);
  });

  it('matches every sha256 and size its card lists (checked here independently of verifyModel)', async () => {
    const { card } = await resolveModel(id);
    expect(card!.files.length).toBeGreaterThan(0);
    for (const f of card!.files) {
      const bytes = readFileSync(join(dir, f.path));
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
  });

  it("passes verifyModel, with every graph exposing its role's inputs and outputs", async () => {
    const report = await verifyModel(id);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const onnxChecks = report.files.filter((f) => f.path.endsWith('.onnx'));
    expect(onnxChecks.length).toBeGreaterThan(0);
    for (const f of onnxChecks) expect(f.status).toBe('ok');
  });

  it('has a card with its recipe, seed, metrics, parameter count and provenance', async () => {
    const { card, kind } = await resolveModel(id);
    expect(readFileSync(join(ZOO_MODELS_DIR, '..', card!.recipe), 'utf8')).toContain('check_dependencies(');
    expect(Number.isInteger(card!.seed)).toBe(true);
    expect(cardParameters(card!).total).toBeGreaterThan(1000);
    expect(card!.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (kind === 'causal-lm' || kind === 'reward-model' || kind === 'moe-lm') {
      // The language recipes record training time under metrics and the architecture beside them.
      type Training = { seconds: number | null; note?: string };
      const metrics = card!.metrics as { training?: Training; train?: Training };
      const training = (metrics.training ?? metrics.train)!;
      // A run resumed or stopped by hand may not know its time; the card must then say why.
      if (training.seconds === null) expect(training.note).toMatch(/\w+/);
      else expect(training.seconds).toBeGreaterThan(0);
      expect(card!.architecture).toMatchObject({ parameters: cardParameters(card!).total });
    } else {
      expect(card!.torch_version).toMatch(/^\d+\.\d+/);
      expect(card!.training_seconds).toBeGreaterThan(0);
    }
  });
});
