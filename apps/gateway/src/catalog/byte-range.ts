/** Inclusive byte positions, as in `Content-Range: bytes start-end/size`. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * What to answer a GET of a `size`-byte resource given its `Range` header:
 * - `full`: 200 with the whole body (no header, a unit other than `bytes`, or several
 *   ranges: RFC 9110 lets a server ignore Range, and a single 200 beats a
 *   multipart/byteranges body no audio player asks for);
 * - `partial`: 206 with `range` (absolute, clipped to the resource);
 * - `unsatisfiable`: 416 with `Content-Range: bytes *\/size` (no range overlaps the
 *   resource, or a `bytes` range that is malformed).
 */
export type RangeOutcome =
  | { kind: 'full' }
  | { kind: 'partial'; range: ResolvedRange }
  | { kind: 'unsatisfiable' };

const BYTES_UNIT = /^\s*bytes\s*=/i;
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Resolves a `Range` header (RFC 9110 §14.1.2) against a resource of `size` bytes:
 * `bytes=N-M`, open `bytes=N-` and suffix `bytes=-N` ranges, all turned into absolute
 * positions here, so the object store is only ever asked for `start-end`.
 */
export function resolveRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined || !BYTES_UNIT.test(header)) return { kind: 'full' };
  const specs = header
    .replace(BYTES_UNIT, '')
    .split(',')
    .map((s) => s.trim());
  // "bytes=0-1,," is a list with empty elements, which the grammar allows and ignores.
  const nonEmpty = specs.filter((s) => s !== '');
  if (nonEmpty.length === 0) return { kind: 'unsatisfiable' };
  const resolved: (ResolvedRange | null)[] = [];
  for (const spec of nonEmpty) {
    const range = resolveOne(spec, size);
    if (range === 'malformed') return { kind: 'unsatisfiable' };
    resolved.push(range);
  }
  const satisfiable = resolved.filter((r): r is ResolvedRange => r !== null);
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (nonEmpty.length > 1) return { kind: 'full' };
  return { kind: 'partial', range: satisfiable[0] };
}

/** One range-spec: the absolute range, `null` when it misses the resource, or `malformed`. */
function resolveOne(spec: string, size: number): ResolvedRange | null | 'malformed' {
  const match = RANGE_SPEC.exec(spec);
  if (!match) return 'malformed';
  const [, first, last] = match;
  if (first === '') {
    // Suffix range: the last N bytes (all of them if N ≥ size); `-0` selects nothing.
    if (last === '') return 'malformed';
    const length = Number(last);
    if (length === 0 || size === 0) return null;
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return 'malformed';
  // Past the end (precision is lost only for numbers far beyond any object's size).
  if (!(start < size)) return null;
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { start, end };
}

/** The `Content-Range` value of a 206. */
export function contentRange(range: ResolvedRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
