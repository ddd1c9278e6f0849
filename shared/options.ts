/**
 * Merging a caller's options over a protocol's `DEFAULTS`: a field given as `undefined` keeps its
 * default (callers spread optional settings through), anything else wins.
 * @module
 */

/** `defaults` with every defined field of `options` laid over it. */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as D & O;
}
