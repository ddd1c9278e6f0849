/** Attaches a classic BPF program (an array of `struct sock_filter`, 8 bytes each, host byte order) to the socket `fd`. Throws an Error with `code` (errno name) on failure. */
export function attachFilter(fd: number, program: Uint8Array): void;
/** Removes the socket filter of `fd` (SO_DETACH_FILTER). Throws as attachFilter does. */
export function detachFilter(fd: number): void;
/** The socket's drop counter (getsockopt SO_MEMINFO, SK_MEMINFO_DROPS): datagrams its filter refused or a full receive buffer lost. A u32 that wraps. */
export function socketDrops(fd: number): number;
