// A plugin's config form, generated from its JSON Schema: a number input with the schema's range for
// numbers, a select for enums, a checkbox for booleans, one line per entry for string lists, JSON for the
// rest. The browser checks what the schema says locally; the server then checks the config with the
// plugin's own zod schema (POST /api/plugins/<name>/check-config), so refinements are caught too.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type ConfigProblem, type JsonSchema } from '../api.js';

type Kind =
  | 'number'
  | 'integer'
  | 'enum'
  | 'boolean'
  | 'string'
  | 'string-list'
  | 'number-or-choice'
  | 'json';

interface Field {
  readonly key: string;
  readonly kind: Kind;
  readonly schema: JsonSchema;
  readonly choices: string[];
}

function fieldOf(key: string, schema: JsonSchema): Field {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (schema.enum) return { key, kind: 'enum', schema, choices: schema.enum.map(String) };
  if (alternatives) {
    const consts = alternatives.filter((a) => a.const !== undefined).map((a) => String(a.const));
    const numeric = alternatives.find((a) => a.type === 'integer' || a.type === 'number');
    if (numeric && consts.length === alternatives.length - 1) {
      return {
        key,
        kind: 'number-or-choice',
        schema: { ...numeric, default: schema.default },
        choices: consts,
      };
    }
    if (consts.length === alternatives.length) return { key, kind: 'enum', schema, choices: consts };
  }
  if (schema.type === 'integer') return { key, kind: 'integer', schema, choices: [] };
  if (schema.type === 'number') return { key, kind: 'number', schema, choices: [] };
  if (schema.type === 'boolean') return { key, kind: 'boolean', schema, choices: [] };
  if (schema.type === 'string') return { key, kind: 'string', schema, choices: [] };
  if (schema.type === 'array' && schema.items?.type === 'string')
    return { key, kind: 'string-list', schema, choices: [] };
  return { key, kind: 'json', schema, choices: [] };
}

/** The text an input shows for a value. */
function toText(field: Field, value: unknown): string {
  if (value === undefined) return '';
  if (field.kind === 'string-list') return (value as string[]).join('\n');
  if (field.kind === 'json') return JSON.stringify(value);
  return String(value);
}

/** Parses an input's text; returns the value or a problem. */
function fromText(field: Field, text: string): { value?: unknown; problem?: string } {
  const { schema } = field;
  switch (field.kind) {
    case 'boolean':
      return { value: text === 'true' };
    case 'enum':
      return {
        value:
          schema.enum?.find((e) => String(e) === text) ??
          (schema.anyOf ?? schema.oneOf)?.find((a) => String(a.const) === text)?.const,
      };
    case 'string':
      if (schema.minLength !== undefined && text.length < schema.minLength)
        return { problem: 'must not be empty' };
      return { value: text };
    case 'string-list':
      return {
        value: text
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      };
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: 'must be valid JSON' };
      }
    default: {
      if (field.kind === 'number-or-choice' && field.choices.includes(text)) return { value: text };
      if (text.trim() === '') return { problem: 'is required' };
      const n = Number(text);
      const choiceHint =
        field.choices.length > 0 ? ` (or ${field.choices.map((c) => `"${c}"`).join(', ')})` : '';
      if (!Number.isFinite(n)) return { problem: `must be a number${choiceHint}` };
      if ((field.kind === 'integer' || schema.type === 'integer') && !Number.isInteger(n))
        return { problem: `must be a whole number${choiceHint}` };
      if (schema.minimum !== undefined && n < schema.minimum)
        return { problem: `must be at least ${schema.minimum}` };
      if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum)
        return { problem: `must be greater than ${schema.exclusiveMinimum}` };
      if (schema.maximum !== undefined && n > schema.maximum)
        return { problem: `must be at most ${schema.maximum}` };
      if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum)
        return { problem: `must be less than ${schema.exclusiveMaximum}` };
      return { value: n };
    }
  }
}

/** zod's int() adds ±MAX_SAFE_INTEGER bounds, which say nothing to a person. */
const bound = (v: number | undefined) =>
  v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v;

function rangeText(schema: JsonSchema): string {
  const lo = bound(schema.minimum) ?? bound(schema.exclusiveMinimum);
  const hi = bound(schema.maximum) ?? bound(schema.exclusiveMaximum);
  if (lo === undefined && hi === undefined) return '';
  const left = bound(schema.minimum) !== undefined ? `≥ ${lo}` : lo !== undefined ? `> ${lo}` : '';
  const right = bound(schema.maximum) !== undefined ? `≤ ${hi}` : hi !== undefined ? `< ${hi}` : '';
  return [left, right].filter(Boolean).join(', ');
}

export interface ConfigState {
  /** The config to send (only fields that parsed). */
  readonly config: Record<string, unknown>;
  /** False while any field has a problem (local or from the server). */
  readonly valid: boolean;
}

export function ConfigForm(props: {
  plugin: string;
  schema: JsonSchema;
  defaults: Record<string, unknown>;
  /** Fields not shown (e.g. seed, which the run form has). */
  hidden?: string[];
  onChange: (state: ConfigState) => void;
}) {
  const fields = useMemo(
    () =>
      Object.entries(props.schema.properties ?? {})
        .filter(([key]) => !(props.hidden ?? []).includes(key))
        .map(([key, schema]) => fieldOf(key, schema)),
    [props.schema, props.hidden],
  );
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, toText(f, props.defaults[f.key])])),
  );
  const [serverProblems, setServerProblems] = useState<ConfigProblem[]>([]);

  const parsed = useMemo(() => {
    const config: Record<string, unknown> = {};
    const problems: Record<string, string> = {};
    for (const field of fields) {
      const { value, problem } = fromText(field, texts[field.key] ?? '');
      if (problem) problems[field.key] = problem;
      else config[field.key] = value;
    }
    return { config, problems };
  }, [fields, texts]);

  const localValid = Object.keys(parsed.problems).length === 0;
  useEffect(() => {
    if (!localValid) {
      setServerProblems([]);
      props.onChange({ config: parsed.config, valid: false });
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.checkConfig(props.plugin, parsed.config).then(
        (check) => {
          if (!live) return;
          setServerProblems(check.problems);
          props.onChange({ config: parsed.config, valid: check.ok });
        },
        () => live && props.onChange({ config: parsed.config, valid: true }),
      );
    }, 150);
    props.onChange({ config: parsed.config, valid: false });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [parsed, localValid, props.plugin]);

  const problemOf = (key: string) =>
    parsed.problems[key] ??
    serverProblems
      .filter((p) => p.path === key || p.path.startsWith(`${key}.`))
      .map((p) => `expected ${p.expected}, got ${p.got}`)[0];
  const rootProblems = serverProblems.filter(
    (p) => !fields.some((f) => p.path === f.key || p.path.startsWith(`${f.key}.`)),
  );

  const set = (key: string, text: string) => setTexts((t) => ({ ...t, [key]: text }));
  const reset = () =>
    setTexts(Object.fromEntries(fields.map((f) => [f.key, toText(f, props.defaults[f.key])])));

  return (
    <fieldset class="config">
      <legend>Configuration</legend>
      {fields.length === 0 && <p class="muted">This plugin has no options.</p>}
      {fields.map((field) => {
        const id = `cfg-${field.key}`;
        const problem = problemOf(field.key);
        const changed = texts[field.key] !== toText(field, props.defaults[field.key]);
        const hint = [
          field.schema.description,
          field.kind === 'number-or-choice'
            ? `${field.choices.join(' or ')}, or a number ${rangeText(field.schema)}`.trim()
            : rangeText(field.schema),
          field.kind === 'string-list' ? 'one per line' : '',
          `default ${JSON.stringify(props.defaults[field.key])}`,
        ]
          .filter(Boolean)
          .join(' · ');
        const describedBy = `${id}-hint${problem ? ` ${id}-error` : ''}`;
        const common = {
          id,
          name: field.key,
          'aria-invalid': problem ? ('true' as const) : undefined,
          'aria-describedby': describedBy,
        };
        const text = texts[field.key] ?? '';
        let input: JSX.Element;
        if (field.kind === 'boolean') {
          input = (
            <input
              {...common}
              type="checkbox"
              checked={text === 'true'}
              onChange={(e) => set(field.key, String(e.currentTarget.checked))}
            />
          );
        } else if (field.kind === 'enum') {
          input = (
            <select {...common} value={text} onChange={(e) => set(field.key, e.currentTarget.value)}>
              {field.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          );
        } else if (field.kind === 'string-list' || field.kind === 'json') {
          input = (
            <textarea
              {...common}
              rows={3}
              value={text}
              onInput={(e) => set(field.key, e.currentTarget.value)}
            />
          );
        } else {
          const numeric = field.kind === 'number' || field.kind === 'integer';
          input = (
            <input
              {...common}
              type="text"
              inputMode={numeric ? 'decimal' : undefined}
              list={field.kind === 'number-or-choice' ? `${id}-choices` : undefined}
              value={text}
              onInput={(e) => set(field.key, e.currentTarget.value)}
            />
          );
        }
        return (
          <div
            class={`field ${field.kind === 'boolean' ? 'inline' : ''} ${problem ? 'invalid' : ''} ${changed ? 'changed' : ''}`}
            key={field.key}
          >
            <label for={id}>{field.key}</label>
            {input}
            {field.kind === 'number-or-choice' && (
              <datalist id={`${id}-choices`}>
                {field.choices.map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
            )}
            <small id={`${id}-hint`} class="hint">
              {hint}
            </small>
            {problem && (
              <small id={`${id}-error`} class="field-error" role="alert">
                {field.key} {problem}
              </small>
            )}
          </div>
        );
      })}
      {rootProblems.map((p) => (
        <p class="field-error" role="alert" key={p.path}>
          {p.path}: expected {p.expected}, got {p.got}
        </p>
      ))}
      <button type="button" class="link" onClick={reset}>
        Reset to defaults
      </button>
    </fieldset>
  );
}
