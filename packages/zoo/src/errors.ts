/** Base class: every zoo error names what is wrong and what would be right. */
export class ZooError extends Error {
  override readonly name: string = 'ZooError';
}

export class UnknownZooModelError extends ZooError {
  override readonly name = 'UnknownZooModelError';
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown zoo model "${requested}". Known zoo models: ${known.join(', ') || '(none)'}; ` +
        'or pass a path to a model folder (onnx/*.onnx + tokenizer.json + config.json).',
    );
  }
}

export class MissingModelFileError extends ZooError {
  override readonly name = 'MissingModelFileError';
  constructor(
    readonly dir: string,
    readonly file: string,
    readonly purpose: string,
    alternatives: readonly string[],
  ) {
    const where = alternatives.length > 1 ? ` (or ${alternatives.slice(1).join(', ')})` : '';
    super(`no ${purpose}: expected ${file}${where} in ${dir}`);
  }
}

export class InvalidModelConfigError extends ZooError {
  override readonly name = 'InvalidModelConfigError';
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
  }
}

export class CorruptModelError extends ZooError {
  override readonly name = 'CorruptModelError';
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    super(`model folder ${dir} failed verification:\n  ${problems.join('\n  ')}`);
  }
}
