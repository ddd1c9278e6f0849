/**
 * Target globs (SPEC.md, Faults): `*` matches within one segment or label, `**` across them.
 * `a/**` also matches `a` itself and `**.b` matches `b`, as globstar does. Every other character
 * is literal. Each protocol's target has its own separator and case rule ({@link TargetSyntax}).
 * @module
 */

/** How one protocol's targets are split and compared. */
export interface TargetSyntax {
  /** Characters `*` does not cross: "/" for paths, "." for DNS names, "@" for addresses. */
  readonly separators: string;
  /** Compare case-insensitively (DNS names, mail addresses). */
  readonly ignoreCase: boolean;
  /** A leading "/" is optional on both sides (FTP: `full/*` and `/full/*` are the same glob). */
  readonly optionalLeadingSlash: boolean;
}

export type TargetMatcher = (target: string) => boolean;

const SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function escapeRegex(text: string): string {
  return text.replace(SPECIAL, '\\$&');
}

/** Turns `glob` into a matcher under `syntax`. */
export function compileGlob(glob: string, syntax: TargetSyntax): TargetMatcher {
  const source = syntax.optionalLeadingSlash ? glob.replace(/^\/+/, '') : glob;
  const seps = syntax.separators;
  const sepClass = `[${escapeRegex(seps)}]`;
  const notSep = seps.length > 0 ? `[^${escapeRegex(seps)}]*` : '.*';
  let pattern = '';
  for (let i = 0; i < source.length; ) {
    if (source.startsWith('**', i)) {
      const next = source[i + 2];
      const prev = source[i - 1];
      if (next !== undefined && seps.includes(next) && (prev === undefined || seps.includes(prev))) {
        // "**/" at a segment start: zero or more whole segments.
        pattern += `(?:.*${sepClass})?`;
        i += 3;
      } else if (next === undefined && prev !== undefined && seps.includes(prev)) {
        // "/**" at the end: the segment before may be the last one.
        pattern = `${pattern.slice(0, pattern.length - escapeRegex(prev).length)}(?:${sepClass}.*)?`;
        i += 2;
      } else {
        pattern += '.*';
        i += 2;
      }
    } else if (source[i] === '*') {
      pattern += notSep;
      i++;
    } else {
      pattern += escapeRegex(source[i] as string);
      i++;
    }
  }
  const regex = new RegExp(`^${pattern}$`, syntax.ignoreCase ? 'is' : 's');
  if (!syntax.optionalLeadingSlash) return (target) => regex.test(target);
  return (target) => regex.test(target.replace(/^\/+/, ''));
}
