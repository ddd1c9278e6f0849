/**
 * Kernel socket filters for UDP servers: a classic BPF program (shared/bpf.ts) attached with
 * setsockopt(SO_ATTACH_FILTER) runs in the kernel on every datagram, and one it returns 0 for is
 * dropped there, before Node reads it into a Buffer, an address object and a JavaScript call.
 * Node has no setsockopt, so this needs the optional native addon `minisuite-socket-filter`
 * (native/socket-filter, built by `npm install`). Everything here is best effort: without the
 * addon, or when the kernel refuses the program, the caller keeps its JavaScript filter, and that
 * is said once on the `minisuite` debug log (NODE_DEBUG=minisuite), not as an error.
 * @module
 */
import type dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { debuglog } from 'node:util';

const debug = debuglog('minisuite');

/** The addon's API (native/socket-filter/index.d.ts). */
interface SocketFilterAddon {
  attachFilter(fd: number, program: Uint8Array): void;
  detachFilter(fd: number): void;
  socketDrops(fd: number): number;
}

/** The package name of the addon, an optionalDependency of minisuite. */
export const SOCKET_FILTER_PACKAGE = 'minisuite-socket-filter';

let addon: SocketFilterAddon | null | undefined;
let saidAttachFailed = false;

/** The addon, loaded once; undefined (said once) when it is not installed, not built or out of date. */
function loadAddon(): SocketFilterAddon | undefined {
  if (addon === undefined) {
    try {
      const loaded = createRequire(import.meta.url)(SOCKET_FILTER_PACKAGE) as Partial<SocketFilterAddon>;
      // A build older than this source (npm install not re-run) lacks a function: the same as none.
      for (const name of ['attachFilter', 'detachFilter', 'socketDrops'] as const)
        if (typeof loaded[name] !== 'function') throw new Error(`built without ${name}; run npm install`);
      addon = loaded as SocketFilterAddon;
    } catch (err) {
      addon = null;
      // The first line: a missing build adds a multi-line require stack.
      const why = (err as Error).message.split('\n')[0];
      debug('kernel socket filter unavailable (%s: %s); filtering UDP in JavaScript', SOCKET_FILTER_PACKAGE, why);
    }
  }
  return addon ?? undefined;
}

/**
 * The file descriptor of a bound dgram socket, or undefined. Node keeps it on the socket's UDP
 * handle (`handle.fd`), but the public way there, `socket._handle`, prints a DEP0112 deprecation
 * warning. The handle also sits in the socket's internal state object under the symbol
 * `Symbol(state symbol)` (lib/internal/dgram.js kStateSymbol), which warns nothing. Kept here, in
 * one place: if a Node version moves it, this returns undefined and the JavaScript filter stays.
 */
export function udpSocketFd(socket: dgram.Socket): number | undefined {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (symbol === undefined) return undefined;
  // Node's internal state; only its `handle.fd` is read, and checked.
  const state = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[symbol];
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

/**
 * Attaches `program` to the bound `socket`; true when the kernel now filters it. False (said once
 * per process on the debug log) when the addon is missing, the fd cannot be found or the kernel
 * refuses: the caller then keeps filtering in JavaScript.
 */
export function attachSocketFilter(socket: dgram.Socket, program: Uint8Array): boolean {
  const native = loadAddon();
  if (!native) return false;
  const fd = udpSocketFd(socket);
  try {
    if (fd === undefined) throw new Error('no file descriptor on the dgram socket');
    native.attachFilter(fd, program);
    return true;
  } catch (err) {
    if (!saidAttachFailed)
      debug('kernel socket filter not attached (%s); filtering UDP in JavaScript', (err as Error).message);
    saidAttachFailed = true;
    return false;
  }
}

/**
 * The kernel's drop counter of a bound socket: datagrams its filter refused, and those a full
 * receive buffer lost. Undefined without the addon or the fd. A u32 in the kernel: it wraps.
 */
export function socketDrops(socket: dgram.Socket): number | undefined {
  const native = loadAddon();
  const fd = udpSocketFd(socket);
  if (!native || fd === undefined) return undefined;
  try {
    return native.socketDrops(fd);
  } catch {
    return undefined;
  }
}

/** True when the addon loads (for tests and the bench to say which path they measured). */
export function socketFilterAvailable(): boolean {
  return loadAddon() !== undefined;
}
