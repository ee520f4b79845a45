/** protobufjs decodes int64 fields as Long objects when the `long` package is present, else as numbers. */
export interface LongLike {
  toNumber(): number;
}

/** An int64 field as a JS number (exact up to 2^53; INT64_MAX-style sentinels keep their magnitude). */
export function toNumber(value: number | LongLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
