import { configJsonSchema, type Plugin } from '@attune/registry';

export interface BadConfigCase {
  /** What the case breaks, for the test title. */
  readonly label: string;
  readonly config: Record<string, unknown>;
  /** The config path the error must name (e.g. 'lr' or 'optimizer.lr'). */
  readonly path: string;
}

/** A value of the wrong kind for a JSON Schema property, or undefined when none can be derived. */
function wrongValueFor(property: Record<string, unknown>): unknown {
  if (Array.isArray(property.enum)) return '__not_one_of_the_options__';
  switch (property.type) {
    case 'number':
    case 'integer':
      return 'not a number';
    case 'string':
      return 12345;
    case 'boolean':
      return 'yes';
    case 'array':
      return 'not an array';
    case 'object':
      return 42;
    default:
      return undefined;
  }
}

/**
 * Derives one wrong-typed config per top-level field from the plugin's own JSON Schema, so every field of
 * every plugin is checked for a clear error without each package writing the cases by hand.
 */
export function derivedBadConfigs(plugin: Plugin): BadConfigCase[] {
  const schema = configJsonSchema(plugin);
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const cases: BadConfigCase[] = [];
  for (const [key, property] of Object.entries(properties)) {
    const wrong = wrongValueFor(property);
    if (wrong === undefined) continue;
    cases.push({ label: `${key} = ${JSON.stringify(wrong)}`, config: { [key]: wrong }, path: key });
  }
  return cases;
}
