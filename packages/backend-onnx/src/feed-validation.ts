import { closestName } from '@attune/registry';
import type { InferenceSession } from 'onnxruntime-node';
import { describeFeedValue, formatDeclaredShape, formatValueMetadata, isOrtTensor } from './describe.js';
import { FeedError } from './errors.js';

type ValueMetadata = InferenceSession.ValueMetadata;

/**
 * Checks feeds against the model's declared inputs before onnxruntime sees them, so a mistake is reported
 * in terms of the model's input names rather than as a kernel failure deep in the graph.
 *
 * Checked: every input is fed and nothing else is; each feed is an onnxruntime Tensor of the declared element
 * type and rank; fixed dimensions match; a symbolic dimension name (e.g. "batch") has one value across inputs.
 * Not checked: an input whose declared shape is empty, because onnxruntime reports "shape unknown" and
 * "scalar" the same way; for those only the element type is checked.
 */
export function checkFeeds(inputs: readonly ValueMetadata[], feeds: unknown, model: string): void {
  if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds) || isOrtTensor(feeds)) {
    throw new FeedError(model, [
      `feeds must be an object of input name -> onnxruntime Tensor (inputs: ${listInputs(inputs)}), ` +
        `got ${describeFeedValue(feeds)}`,
    ]);
  }
  const given = feeds as Record<string, unknown>;
  const nameProblems = checkNames(inputs, Object.keys(given));
  if (nameProblems.length > 0) throw new FeedError(model, nameProblems);

  const problems: string[] = [];
  // First input that fixed each symbolic dimension: names the other side of a disagreement.
  const symbolSeen = new Map<string, { size: number; input: string }>();
  for (const meta of inputs) {
    const problem = checkOne(meta, given[meta.name], symbolSeen);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new FeedError(model, problems);
}

function listInputs(inputs: readonly ValueMetadata[]): string {
  return inputs.map(formatValueMetadata).join(', ');
}

function checkNames(inputs: readonly ValueMetadata[], givenNames: readonly string[]): string[] {
  const declared = inputs.map((m) => m.name);
  const missing = declared.filter((n) => !givenNames.includes(n));
  const unknown = givenNames.filter((n) => !declared.includes(n));
  if (missing.length === 0 && unknown.length === 0) return [];
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${missing.map((n) => `"${n}"`).join(', ')}`);
  if (unknown.length > 0) {
    const described = unknown.map((n) => {
      const near = closestName(n, missing.length > 0 ? missing : declared);
      return near ? `"${n}" (did you mean "${near}"?)` : `"${n}"`;
    });
    parts.push(`unknown ${described.join(', ')}`);
  }
  return [`feeds do not match the model's inputs: ${parts.join('; ')}. The inputs are ${listInputs(inputs)}`];
}

function checkOne(
  meta: ValueMetadata,
  value: unknown,
  symbolSeen: Map<string, { size: number; input: string }>,
): string | undefined {
  if (!meta.isTensor) return undefined; // sequences and maps: onnxruntime checks them itself
  const declaredShape = meta.shape;
  const rankKnown = declaredShape.length > 0;
  const expected = rankKnown
    ? `${meta.type} tensor of rank ${declaredShape.length} ${formatDeclaredShape(declaredShape)}`
    : `${meta.type} tensor`;
  const mismatch = (detail?: string) =>
    `input "${meta.name}": expected ${expected}, got ${describeFeedValue(value)}${detail ? ` (${detail})` : ''}`;

  if (!isOrtTensor(value)) return mismatch();
  if (value.type !== meta.type) return mismatch();
  if (!rankKnown) return undefined;
  if (value.dims.length !== declaredShape.length) return mismatch();

  const wrongDims: string[] = [];
  for (let axis = 0; axis < declaredShape.length; axis++) {
    const declared = declaredShape[axis]!;
    const actual = value.dims[axis]!;
    if (typeof declared === 'number') {
      if (declared !== actual) wrongDims.push(`dim ${axis} must be ${declared}`);
      continue;
    }
    if (declared === '') continue; // unnamed dynamic dimension: any size
    const seen = symbolSeen.get(declared);
    if (!seen) {
      symbolSeen.set(declared, { size: actual, input: meta.name });
    } else if (seen.size !== actual) {
      wrongDims.push(`dim ${axis} is "${declared}", which input "${seen.input}" gives as ${seen.size}`);
    }
  }
  if (wrongDims.length > 0) return mismatch(wrongDims.join(', '));
  return undefined;
}
