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
  /** The scope asked for last and its map: requests mostly come with the same method. */
  #lastScope: string | undefined;
  #lastPaths: Map<string, V> | undefined;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get(scope: string, path: string): V | undefined {
    if (scope !== this.#lastScope) {
      this.#lastScope = scope;
      this.#lastPaths = this.#scopes.get(scope);
    }
    return this.#lastPaths?.get(path);
  }

  set(scope: string, path: string, value: V): void {
    if (path.length > MAX_REMEMBERED_PATH) return;
    let byPath = this.#scopes.get(scope);
    if (byPath === undefined) {
      if (this.#scopes.size >= this.maxEntries) this.#forgetScopes();
      byPath = new Map();
      this.#scopes.set(scope, byPath);
      if (scope === this.#lastScope) this.#lastPaths = byPath;
    }
    if (byPath.size >= this.maxEntries) byPath.clear();
    byPath.set(path, value);
  }

  clear(): void {
    this.#forgetScopes();
  }

  #forgetScopes(): void {
    this.#scopes.clear();
    this.#lastScope = undefined;
    this.#lastPaths = undefined;
  }
}
