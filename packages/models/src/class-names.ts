// Validation of the label sets and prompt templates that every CLIP method receives.

/** Throws unless `classNames` is a non-empty list of distinct, non-blank strings. */
export function checkClassNames(classNames: readonly string[]): void {
  if (!Array.isArray(classNames)) {
    throw new TypeError(`expected class names as an array of strings, got ${typeof classNames}`);
  }
  if (classNames.length === 0) throw new Error('expected at least one class name, got an empty list');
  const seen = new Map<string, number>();
  classNames.forEach((name, i) => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new Error(`class name ${i} is ${JSON.stringify(name)}; expected a non-empty string`);
    }
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new Error(
        `duplicate class name "${name}" (positions ${previous} and ${i}); class names must be distinct`,
      );
    }
    seen.set(name, i);
  });
}

/** Throws unless every template is a string holding the "{}" placeholder for the class name. */
export function checkTemplates(templates: readonly string[]): void {
  if (!Array.isArray(templates) || templates.length === 0) {
    throw new Error('expected at least one prompt template such as "a photo of a {}.", got none');
  }
  templates.forEach((template, i) => {
    if (typeof template !== 'string' || !template.includes('{}')) {
      throw new Error(
        `template ${i} ${JSON.stringify(template)} has no "{}" placeholder; expected e.g. "a photo of a {}."`,
      );
    }
  });
}

/** Python's `template.format(name)` for templates with "{}" placeholders. */
export function fillTemplate(template: string, className: string): string {
  return template.replaceAll('{}', className);
}
