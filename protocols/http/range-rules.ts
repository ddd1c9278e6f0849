/**
 * Two Range rules of RFC 9110 that `send` (through `range-parser`) gets wrong, applied to the request
 * headers once the file's size is known and before `send` evaluates them.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `bytes=-N`: a suffix range (RFC 9110 §14.1.1). */
const SUFFIX_RANGE = /^\s*bytes\s*=\s*-\s*(\d+)\s*$/i;

/**
 * Rewrites `headers` in place so that `send` answers as RFC 9110 says:
 * - `If-Range` needs a strong match (§13.1.5): an entity tag marked weak (`W/"…"`) never matches, so
 *   the whole file is sent with 200. send compares by substring and would answer 206.
 * - A suffix range longer than the file selects the whole file (§14.1.3: "If the selected representation
 *   is shorter than the specified suffix-length, the entire representation is used"); range-parser turns
 *   it into a negative start and answers 416. `bytes=-0` stays unsatisfiable.
 */
export function applyRangeRules(headers: IncomingHttpHeaders, size: number): void {
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && /^\s*W\//.test(String(ifRange))) {
    delete headers.range;
    delete headers['if-range'];
    return;
  }
  const range = headers.range;
  if (range === undefined) return;
  const suffix = SUFFIX_RANGE.exec(range);
  if (suffix === null) return;
  const length = Number(suffix[1]);
  if (length > size && size > 0) headers.range = 'bytes=0-';
}
