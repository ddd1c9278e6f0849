/**
 * A bounded memo keyed by a scope (a method, or '' for none) and a request path, for values that
 * are a pure function of both: a busy server asks for the same few paths again and again. Paths
 * longer than {@link MAX_REMEMBERED_PATH} are never kept, and each map starts over when full, so a
 * client sending ever-new paths cannot make it grow.
 * @module
 */
import { MAX_REMEMBERED_PATH } from './limits.js';

export class PathMemo<V> {
  /** Paths kept per scope (and scopes kept) at most. */
  readonly maxEntries: number;
  #scopes = new Map<string, Map<string, V>>();

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get(scope: string, path: string): V | undefined {
    return this.#scopes.get(scope)?.get(path);
  }

  set(scope: string, path: string, value: V): void {
    if (path.length > MAX_REMEMBERED_PATH) return;
    let byPath = this.#scopes.get(scope);
    if (byPath === undefined) {
      if (this.#scopes.size >= this.maxEntries) this.#scopes.clear();
      byPath = new Map();
      this.#scopes.set(scope, byPath);
    }
    if (byPath.size >= this.maxEntries) byPath.clear();
    byPath.set(path, value);
  }

  clear(): void {
    this.#scopes.clear();
  }
}
