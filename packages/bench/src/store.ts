import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BudgetOutcome, CandidateOutcomes } from '@attune/contracts';
import Database from 'better-sqlite3';
import type { PeakRssScope } from './peak-memory.js';
import { type AttemptRow, type BenchRecord, type MethodSpec, type RunInfo, taskKey } from './records.js';

const SCHEMA_VERSION = '1';

/*
 * One table per idea. `records` has a UNIQUE key per (run, suite, method, config hash, seed, sample): the
 * database itself refuses a duplicate, so a bug can never count a sample twice. Predictions and labels are
 * typeless columns, which keep a number a number and a string a string.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  suite TEXT NOT NULL,
  suite_config TEXT NOT NULL,
  suite_config_hash TEXT NOT NULL,
  sample_list TEXT NOT NULL,
  sample_list_sha256 TEXT NOT NULL,
  sample_keys_sha256 TEXT NOT NULL,
  sample_count INTEGER NOT NULL,
  sample_limit INTEGER,
  methods TEXT NOT NULL,
  seeds TEXT NOT NULL,
  created_at TEXT NOT NULL,
  harness_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  method TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  sample_key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  worker INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  PRIMARY KEY (run_id, method, config_hash, seed, sample_key, attempt)
);
CREATE TABLE IF NOT EXISTS records (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  suite TEXT NOT NULL,
  method TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  sample_key TEXT NOT NULL,
  sample_index INTEGER NOT NULL,
  family TEXT NOT NULL,
  prediction NOT NULL,
  label NOT NULL,
  correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
  latency_ms REAL NOT NULL,
  peak_rss_bytes INTEGER NOT NULL,
  peak_rss_scope TEXT NOT NULL CHECK (peak_rss_scope IN ('sample', 'process')),
  backend TEXT,
  threads INTEGER,
  sample_list TEXT NOT NULL,
  sample_list_sha256 TEXT NOT NULL,
  node_version TEXT NOT NULL,
  worker INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  extra TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  budgets TEXT,
  candidates TEXT,
  UNIQUE (run_id, suite, method, config_hash, seed, sample_key)
);
`;

interface RunRow {
  run_id: string;
  suite: string;
  suite_config: string;
  suite_config_hash: string;
  sample_list: string;
  sample_list_sha256: string;
  sample_keys_sha256: string;
  sample_count: number;
  sample_limit: number | null;
  methods: string;
  seeds: string;
  created_at: string;
  harness_version: string;
}

interface RecordRow {
  run_id: string;
  suite: string;
  method: string;
  config_hash: string;
  seed: number;
  sample_key: string;
  sample_index: number;
  family: string;
  prediction: string | number;
  label: string | number;
  correct: number;
  latency_ms: number;
  peak_rss_bytes: number;
  peak_rss_scope: PeakRssScope;
  backend: string | null;
  threads: number | null;
  sample_list: string;
  sample_list_sha256: string;
  node_version: string;
  worker: number;
  pid: number;
  attempt: number;
  extra: string | null;
  started_at: string;
  finished_at: string;
  budgets: string | null;
  candidates: string | null;
}

interface AttemptDbRow {
  run_id: string;
  method: string;
  config_hash: string;
  seed: number;
  sample_key: string;
  attempt: number;
  worker: number;
  pid: number;
  started_at: string;
}

export interface ResultStoreOptions {
  /**
   * 'full' (default): every commit is fsynced, so a finished record survives even a power cut.
   * 'normal': WAL commits survive a killed process but the last few may be lost on power loss; faster
   * when samples take well under a millisecond.
   */
  readonly durability?: 'full' | 'normal';
}

/**
 * The SQLite result store (WAL mode). Each record is its own transaction, committed the moment the
 * sample is done, so killing the harness loses at most the samples being evaluated at that instant.
 * One process writes (the harness parent); any number may read while it does.
 */
export class ResultStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #insertRecord: Database.Statement;
  readonly #insertAttempt: Database.Statement;
  readonly #nextAttempt: Database.Statement;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#insertRecord = db.prepare(
      `INSERT INTO records (run_id, suite, method, config_hash, seed, sample_key, sample_index, family, prediction,
         label, correct, latency_ms, peak_rss_bytes, peak_rss_scope, backend, threads, sample_list,
         sample_list_sha256, node_version, worker, pid, attempt, extra, started_at, finished_at, budgets, candidates)
       VALUES (@run_id, @suite, @method, @config_hash, @seed, @sample_key, @sample_index, @family, @prediction,
         @label, @correct, @latency_ms, @peak_rss_bytes, @peak_rss_scope, @backend, @threads, @sample_list,
         @sample_list_sha256, @node_version, @worker, @pid, @attempt, @extra, @started_at, @finished_at, @budgets, @candidates)`,
    );
    this.#insertAttempt = db.prepare(
      `INSERT INTO attempts (run_id, method, config_hash, seed, sample_key, attempt, worker, pid, started_at)
       VALUES (@run_id, @method, @config_hash, @seed, @sample_key, @attempt, @worker, @pid, @started_at)`,
    );
    this.#nextAttempt = db.prepare(
      `SELECT COALESCE(MAX(attempt), 0) + 1 AS next FROM attempts
       WHERE run_id = ? AND method = ? AND config_hash = ? AND seed = ? AND sample_key = ?`,
    );
  }

  /** Opens (creating if needed) a store file; its directory is created too. */
  static open(path: string, options: ResultStoreOptions = {}): ResultStore {
    const full = resolve(path);
    mkdirSync(dirname(full), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(full);
    } catch (error) {
      throw new Error(`cannot open result store ${full}: ${(error as Error).message}`);
    }
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${(options.durability ?? 'full') === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 10000');
    const version = tableExists(db, 'meta')
      ? (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
          | { value: string }
          | undefined)
      : undefined;
    if (version && version.value !== SCHEMA_VERSION) {
      db.close();
      throw new Error(
        `result store ${full} has schema version ${version.value}; this harness reads version ${SCHEMA_VERSION}. ` +
          'Use a new --db file or a matching @attune/bench version.',
      );
    }
    db.exec(SCHEMA);
    // Stores written before budgets (or candidates) existed gain the nullable column; their records read as before.
    const columns = db.prepare('PRAGMA table_info(records)').all() as { name: string }[];
    for (const column of ['budgets', 'candidates']) {
      if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE records ADD COLUMN ${column} TEXT`);
    }
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
    return new ResultStore(full, db);
  }

  /** The journal mode in effect ('wal' once opened). */
  journalMode(): string {
    return String(this.#db.pragma('journal_mode', { simple: true }));
  }

  createRun(run: RunInfo): void {
    this.#db
      .prepare(
        `INSERT INTO runs (run_id, suite, suite_config, suite_config_hash, sample_list, sample_list_sha256,
           sample_keys_sha256, sample_count, sample_limit, methods, seeds, created_at, harness_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.runId,
        run.suite,
        JSON.stringify(run.suiteConfig),
        run.suiteConfigHash,
        run.sampleList,
        run.sampleListSha256,
        run.sampleKeysSha256,
        run.sampleCount,
        run.sampleLimit,
        JSON.stringify(run.methods),
        JSON.stringify(run.seeds),
        run.createdAt,
        run.harnessVersion,
      );
  }

  /** A resumed run's larger selection (--extend): its limit, sample count and keys' hash. */
  extendRun(run: RunInfo): void {
    const changed = this.#db
      .prepare('UPDATE runs SET sample_limit = ?, sample_count = ?, sample_keys_sha256 = ? WHERE run_id = ?')
      .run(run.sampleLimit, run.sampleCount, run.sampleKeysSha256, run.runId).changes;
    if (changed !== 1) throw new Error(`extendRun: no run "${run.runId}" in ${this.path}`);
  }

  getRun(runId: string): RunInfo | undefined {
    const row = this.#db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? toRunInfo(row) : undefined;
  }

  /** Runs in creation order, optionally of one suite. */
  listRuns(suite?: string): RunInfo[] {
    const rows = (
      suite === undefined
        ? this.#db.prepare('SELECT * FROM runs ORDER BY created_at, rowid').all()
        : this.#db.prepare('SELECT * FROM runs WHERE suite = ? ORDER BY created_at, rowid').all(suite)
    ) as RunRow[];
    return rows.map(toRunInfo);
  }

  /** Keys (see taskKey) of every record of a run: the work a resume skips. */
  finishedKeys(runId: string): Set<string> {
    const rows = this.#db
      .prepare('SELECT method, config_hash, seed, sample_key FROM records WHERE run_id = ?')
      .all(runId) as Pick<RecordRow, 'method' | 'config_hash' | 'seed' | 'sample_key'>[];
    return new Set(rows.map((r) => taskKey(r.method, r.config_hash, r.seed, r.sample_key)));
  }

  countRecords(runId: string): number {
    return (
      this.#db.prepare('SELECT COUNT(*) AS n FROM records WHERE run_id = ?').get(runId) as { n: number }
    ).n;
  }

  /** Logs that a sample is being handed to an evaluator; returns its attempt number (1 the first time). */
  beginAttempt(attempt: NewAttempt): number {
    return this.#db.transaction(() => this.#logAttempt(attempt)).immediate();
  }

  /**
   * Commits one record, and, in the same transaction, the attempt of the sample the same evaluator takes
   * next (one fsync per sample instead of two). Returns that attempt's number. A second record for the
   * same key is refused by SQLite (UNIQUE), and the transaction with it.
   */
  commitRecord(record: BenchRecord, next?: NewAttempt): number | undefined {
    return this.#db
      .transaction(() => {
        this.#insertRecord.run(recordParams(record));
        return next ? this.#logAttempt(next) : undefined;
      })
      .immediate();
  }

  /**
   * Removes a logged attempt that was never handed to an evaluator (the run stopped between logging it and
   * handing it over), so the attempt log lists exactly the samples that were started.
   */
  withdrawAttempt(attempt: NewAttempt, number: number): void {
    this.#db
      .prepare(
        `DELETE FROM attempts WHERE run_id = ? AND method = ? AND config_hash = ? AND seed = ? AND sample_key = ?
         AND attempt = ?`,
      )
      .run(attempt.runId, attempt.method, attempt.configHash, attempt.seed, attempt.sampleKey, number);
  }

  #logAttempt(attempt: NewAttempt): number {
    const { next } = this.#nextAttempt.get(
      attempt.runId,
      attempt.method,
      attempt.configHash,
      attempt.seed,
      attempt.sampleKey,
    ) as { next: number };
    this.#insertAttempt.run({
      run_id: attempt.runId,
      method: attempt.method,
      config_hash: attempt.configHash,
      seed: attempt.seed,
      sample_key: attempt.sampleKey,
      attempt: next,
      worker: attempt.worker,
      pid: attempt.pid,
      started_at: new Date().toISOString(),
    });
    return next;
  }

  /** A run's records, ordered by method, config, seed and list position. */
  records(runId: string): BenchRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM records WHERE run_id = ? ORDER BY method, config_hash, seed, sample_index')
      .all(runId) as RecordRow[];
    return rows.map(toRecord);
  }

  /** A run's attempt log, ordered like records(), then by attempt. */
  attempts(runId: string): AttemptRow[] {
    const rows = this.#db
      .prepare(
        'SELECT * FROM attempts WHERE run_id = ? ORDER BY method, config_hash, seed, sample_key, attempt',
      )
      .all(runId) as AttemptDbRow[];
    return rows.map((r) => ({
      runId: r.run_id,
      method: r.method,
      configHash: r.config_hash,
      seed: r.seed,
      sampleKey: r.sample_key,
      attempt: r.attempt,
      worker: r.worker,
      pid: r.pid,
      startedAt: r.started_at,
    }));
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** An attempt as the harness logs it (the store numbers it and stamps the time). */
export type NewAttempt = Omit<AttemptRow, 'attempt' | 'startedAt'>;

function recordParams(record: BenchRecord): Record<string, unknown> {
  return {
    run_id: record.runId,
    suite: record.suite,
    method: record.method,
    config_hash: record.configHash,
    seed: record.seed,
    sample_key: record.sampleKey,
    sample_index: record.sampleIndex,
    family: record.family,
    prediction: record.prediction,
    label: record.label,
    correct: record.correct ? 1 : 0,
    latency_ms: record.latencyMs,
    peak_rss_bytes: record.peakRssBytes,
    peak_rss_scope: record.peakRssScope,
    backend: record.backend,
    threads: record.threads,
    sample_list: record.sampleList,
    sample_list_sha256: record.sampleListSha256,
    node_version: record.nodeVersion,
    worker: record.worker,
    pid: record.pid,
    attempt: record.attempt,
    extra: record.extra === null ? null : JSON.stringify(record.extra),
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    budgets: record.budgets === undefined ? null : JSON.stringify(record.budgets),
    candidates: record.candidates === undefined ? null : JSON.stringify(record.candidates),
  };
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function toRunInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_id,
    suite: row.suite,
    suiteConfig: JSON.parse(row.suite_config) as Record<string, unknown>,
    suiteConfigHash: row.suite_config_hash,
    sampleList: row.sample_list,
    sampleListSha256: row.sample_list_sha256,
    sampleKeysSha256: row.sample_keys_sha256,
    sampleCount: row.sample_count,
    sampleLimit: row.sample_limit,
    methods: JSON.parse(row.methods) as MethodSpec[],
    seeds: JSON.parse(row.seeds) as number[],
    createdAt: row.created_at,
    harnessVersion: row.harness_version,
  };
}

function toRecord(row: RecordRow): BenchRecord {
  return {
    runId: row.run_id,
    suite: row.suite,
    method: row.method,
    configHash: row.config_hash,
    seed: row.seed,
    sampleKey: row.sample_key,
    sampleIndex: row.sample_index,
    family: row.family,
    prediction: row.prediction,
    label: row.label,
    correct: row.correct === 1,
    latencyMs: row.latency_ms,
    peakRssBytes: row.peak_rss_bytes,
    peakRssScope: row.peak_rss_scope,
    backend: row.backend,
    threads: row.threads,
    sampleList: row.sample_list,
    sampleListSha256: row.sample_list_sha256,
    nodeVersion: row.node_version,
    worker: row.worker,
    pid: row.pid,
    attempt: row.attempt,
    extra: row.extra === null ? null : (JSON.parse(row.extra) as Record<string, number | string>),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    ...(row.budgets === null || row.budgets === undefined
      ? {}
      : { budgets: JSON.parse(row.budgets) as BudgetOutcome[] }),
    ...(row.candidates === null || row.candidates === undefined
      ? {}
      : { candidates: JSON.parse(row.candidates) as CandidateOutcomes }),
  };
}
