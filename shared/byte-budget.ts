/**
 * A memory budget shared by everything that buffers client data (HTTP request bodies): a total,
 * and a share per client address so one client cannot spend it all. Bytes are reserved before
 * they are buffered and given back when the buffer is let go; a refused reservation is answered
 * at once (503), so memory does not grow with load. No allocation happens here: it only counts.
 * @module
 */
import { normalizeAddress } from './net-util.js';

export interface ByteBudgetOptions {
  /** Bytes in flight at once, all clients together. */
  readonly totalBytes: number;
  /** Bytes in flight at once for one client address. */
  readonly perAddressBytes: number;
}

export class ByteBudget {
  readonly totalBytes: number;
  readonly perAddressBytes: number;
  #used = 0;
  #byAddress = new Map<string, number>();

  constructor(options: ByteBudgetOptions) {
    this.totalBytes = options.totalBytes;
    this.perAddressBytes = options.perAddressBytes;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.#used;
  }

  /** Reserved now by `address`. */
  usedBy(address: string): number {
    return this.#byAddress.get(normalizeAddress(address)) ?? 0;
  }

  /** Reserves `bytes` for `address`; false (nothing reserved) when either budget would be exceeded. */
  reserve(address: string, bytes: number): boolean {
    if (bytes <= 0) return true;
    const key = normalizeAddress(address);
    const mine = this.#byAddress.get(key) ?? 0;
    if (this.#used + bytes > this.totalBytes || mine + bytes > this.perAddressBytes) return false;
    this.#used += bytes;
    this.#byAddress.set(key, mine + bytes);
    return true;
  }

  /** Gives back `bytes` reserved for `address`. */
  release(address: string, bytes: number): void {
    if (bytes <= 0) return;
    const key = normalizeAddress(address);
    const left = (this.#byAddress.get(key) ?? 0) - bytes;
    if (left <= 0) this.#byAddress.delete(key);
    else this.#byAddress.set(key, left);
    this.#used = Math.max(0, this.#used - bytes);
  }
}
