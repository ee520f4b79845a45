import { describeValue } from './config-problems.js';
import { closestName, InvalidConfigError } from './errors.js';

/** A config key the plugin's schema does not have, with the nearest key it does have. */
export interface UnknownConfigKey {
  /** Dotted path, e.g. 'stepz' or 'optimizer.lrr'. */
  readonly path: string;
  readonly suggestion: string | undefined;
  /** The keys known at that level of the config. */
  readonly known: readonly string[];
}

/**
 * Thrown when a config has keys its schema does not know. zod's plain objects strip unknown keys, so without
 * this a typo ("stepz") would be dropped and the default used in its place.
 */
export class UnknownConfigKeyError extends InvalidConfigError {
  override readonly name: string = 'UnknownConfigKeyError';
  constructor(
    pluginName: string,
    readonly unknownKeys: readonly UnknownConfigKey[],
  ) {
    super(
      pluginName,
      unknownKeys.map((k) => ({ path: k.path, expected: knownKeysText(k), got: 'an unknown option' })),
    );
    this.message = unknownKeys
      .map((k) => {
        const hint = k.suggestion ? `; did you mean "${k.suggestion}"?` : '';
        return `unknown option "${k.path}" for ${pluginName}${hint} (known options: ${knownKeysText(k)})`;
      })
      .join('\n');
  }
}

function knownKeysText(key: UnknownConfigKey): string {
  return key.known.length > 0 ? key.known.join(', ') : 'none: this plugin takes no options';
}

interface ZodLike {
  readonly _zod: { readonly def: { readonly type: string; readonly innerType?: ZodLike } };
  readonly shape?: Readonly<Record<string, ZodLike>>;
}

/** The object schema under default/optional/nullable/prefault wrappers, or undefined when it is not one. */
function objectSchemaOf(schema: ZodLike | undefined): ZodLike | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    const def = current._zod.def;
    if (def.type === 'object') return current.shape ? current : undefined;
    if (!def.innerType) return undefined;
    current = def.innerType;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unknownKeysOf(schema: ZodLike, raw: Record<string, unknown>, prefix: string): UnknownConfigKey[] {
  const shape = schema.shape ?? {};
  const known = Object.keys(shape);
  const found: UnknownConfigKey[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const field = shape[key];
    if (field === undefined) {
      found.push({ path, suggestion: closestName(key, known), known });
      continue;
    }
    const nested = objectSchemaOf(field);
    if (nested && isPlainObject(value)) found.push(...unknownKeysOf(nested, value, path));
  }
  return found;
}

/**
 * Checks what zod does not: that a raw config is a JSON object (not an array, null, a string or a number) and
 * that every key in it, at every level of nested objects, is one the schema declares. `undefined` means "no
 * config" and passes (the defaults are used).
 */
export function assertStrictConfig(pluginName: string, schema: unknown, raw: unknown): void {
  if (raw === undefined) return;
  if (!isPlainObject(raw)) {
    throw new InvalidConfigError(pluginName, [
      {
        path: '(root)',
        expected: 'a JSON object of options, e.g. {"seed": 1} (or {} for the defaults)',
        got: describeValue(raw),
      },
    ]);
  }
  const objectSchema = objectSchemaOf(schema as ZodLike);
  if (!objectSchema) return;
  const unknownKeys = unknownKeysOf(objectSchema, raw, '');
  if (unknownKeys.length > 0) throw new UnknownConfigKeyError(pluginName, unknownKeys);
}
