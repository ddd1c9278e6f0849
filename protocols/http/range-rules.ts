/**
 * The Range and If-Range rules of RFC 9110 that `send` (through `range-parser`) gets wrong,
 * applied to the request headers once the file's size, date and entity tag are known and before
 * `send` evaluates them. nginx, the reference for static files, answers all of these this way.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `bytes=-N`: a suffix range (RFC 9110 §14.1.1). */
const SUFFIX_RANGE = /^bytes=-(\d+)$/;
/** The range unit and the range set of a `Range` value. */
const RANGE_VALUE = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(.*)$/;

/** What {@link applyRangeRules} needs to know of the file. */
export interface RangeTarget {
  readonly size: number;
  /** The `Last-Modified` the response carries (an HTTP-date, whole seconds). */
  readonly lastModified: string;
  /** The strong entity tag the response carries (`"…"`). */
  readonly etag: string;
}

/**
 * A `Range` value in the one spelling range-parser reads, or undefined when it is not a byte range:
 * - the unit is case-insensitive (RFC 9110 §14.1: `BYTES=0-3` is a byte range);
 * - empty list elements are ignored (§5.6.1.2: `bytes=0-3,` is `bytes=0-3`), as is whitespace
 *   around elements (OWS in the `#` rule).
 */
export function normalizeRange(value: string): string | undefined {
  const m = RANGE_VALUE.exec(value);
  if (!m || (m[1] as string).toLowerCase() !== 'bytes') return undefined;
  const specs = (m[2] as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return specs.length === 0 ? undefined : `bytes=${specs.join(',')}`;
}

/**
 * True when `If-Range` lets the range apply (RFC 9110 §13.1.5): an entity tag must match the
 * current one by strong comparison (a weak tag never does), a date must equal Last-Modified
 * exactly. send compares tags by substring and dates by "not later than".
 */
export function ifRangeHolds(ifRange: string, target: RangeTarget): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === target.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Date.parse(target.lastModified);
}

/**
 * Rewrites `headers` in place so that `send` answers as RFC 9110 says (and as nginx does):
 * - If-Range that does not hold: the whole file with 200 ({@link ifRangeHolds});
 * - the unit's case and empty elements: {@link normalizeRange};
 * - a zero-length file: no byte range can select anything, so the Range is ignored and the
 *   (empty) file sent with 200, which §14.2 allows for any Range;
 * - a suffix range longer than the file selects the whole file (§14.1.3: "If the selected
 *   representation is shorter than the specified suffix-length, the entire representation is
 *   used"); range-parser turns it into a negative start and answers 416. `bytes=-0` stays
 *   unsatisfiable.
 * If-Range is removed once decided, so send does not decide it again its own way.
 */
export function applyRangeRules(headers: IncomingHttpHeaders, target: RangeTarget): void {
  const ifRange = headers['if-range'];
  delete headers['if-range'];
  const range = headers.range;
  if (range === undefined) return;
  const normalized = normalizeRange(range);
  if (
    normalized === undefined ||
    target.size === 0 ||
    (ifRange !== undefined && !ifRangeHolds(String(ifRange), target))
  ) {
    delete headers.range;
    return;
  }
  const suffix = SUFFIX_RANGE.exec(normalized);
  headers.range = suffix !== null && Number(suffix[1]) > target.size ? 'bytes=0-' : normalized;
}

/**
 * The strong entity tag of a file (RFC 9110 §8.8.3): its size and modification time in
 * milliseconds, in hex, as nginx makes its own from the same two facts (in seconds). Strong, so
 * If-Range and If-Match can use it (§8.8.3.2); send's default is weak (`W/"…"`).
 */
export function fileEtag(stat: { readonly size: number; readonly mtime: Date }): string {
  return `"${stat.size.toString(16)}-${stat.mtime.getTime().toString(16)}"`;
}
