/**
 * Domain-name helpers. Names are kept as lookup keys: absolute, without the trailing dot,
 * ASCII-lowercased (RFC 4343: DNS compares names case-insensitively, ASCII only), labels joined
 * with '.'. A label that itself contains '.' or '\' (possible on the wire, never in our zones)
 * has them escaped with '\', so such a name can never collide with a zone name. The root is ''.
 * @module
 */

/** Longest label, RFC 1035 §2.3.4. */
export const MAX_LABEL_LENGTH = 63;
/** Longest name in wire form (length octets included), RFC 1035 §2.3.4. */
export const MAX_NAME_WIRE_LENGTH = 255;

/** ASCII-only lowercase (RFC 4343 §3: only A-Z fold). */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

/** Escapes one raw label (latin1 text) for a name key. */
export function escapeLabel(label: string): string {
  return /[.\\]/.test(label) ? label.replace(/[.\\]/g, (c) => `\\${c}`) : label;
}

/** Splits a name key into raw labels, undoing {@link escapeLabel}. The root gives []. */
export function splitName(name: string): string[] {
  if (name === '' || name === '.') return [];
  if (!name.includes('\\')) return name.split('.');
  const labels: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && i + 1 < name.length) current += name[++i];
    else if (c === '.') {
      labels.push(current);
      current = '';
    } else current += c;
  }
  labels.push(current);
  return labels;
}

/** Wire length of a name given as labels: each label plus its length octet, plus the root octet. */
export function wireLength(labels: readonly string[]): number {
  let n = 1;
  for (const l of labels) n += Buffer.byteLength(l, 'latin1') + 1;
  return n;
}

/** True when `name` is `zone` or below it (both keys). */
export function isInZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || (name.endsWith(zone) && name[name.length - zone.length - 1] === '.');
}

/** The parent of a key ('' for a single label); undefined for the root. */
export function parentName(name: string): string | undefined {
  if (name === '') return undefined;
  // An escaped dot is never a separator; such labels only come from the wire and are rare.
  if (!name.includes('\\')) {
    const dot = name.indexOf('.');
    return dot < 0 ? '' : name.slice(dot + 1);
  }
  const labels = splitName(name).slice(1);
  return labels.map(escapeLabel).join('.');
}

/** One raw label in presentation form (RFC 1035 §5.1, RFC 4343 §2.1): `\.`, `\\`, `\DDD` for the rest. */
function presentLabel(label: string): string {
  let out = '';
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24)
      out += `\\${label[i]}`;
    else if (c <= 0x20 || c >= 0x7f) out += `\\${String(c).padStart(3, '0')}`;
    else out += label[i];
  }
  return out;
}

/** Presentation form with a trailing dot ("www.suite.test."; "." for the root), escapes where needed. */
export function absolute(name: string): string {
  if (name === '') return '.';
  if (!/[^a-z0-9_*.-]/i.test(name)) return `${name}.`;
  return `${splitName(name).map(presentLabel).join('.')}.`;
}

/** A name key in wire form, uncompressed (RFC 1035 §3.1). */
export function nameToWire(name: string): Buffer {
  const labels = splitName(name);
  const out = Buffer.alloc(wireLength(labels));
  let at = 0;
  for (const l of labels) {
    out[at++] = l.length;
    at += out.write(l, at, 'latin1');
  }
  out[at] = 0;
  return out;
}

/** Number of labels of a key (the root has 0). */
export function labelCount(name: string): number {
  return splitName(name).length;
}
