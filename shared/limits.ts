/**
 * Named limits shared by every server. Each is also an option of the server that uses it;
 * these are the defaults.
 * @module
 */

/** Longest command line a line-based protocol accepts (RFC 5321 §4.5.3.1.4 allows 512 for SMTP commands; FTP path names need more). */
export const MAX_LINE_LENGTH = 4096;
/** Simultaneous connections per TCP server before new ones are turned away in the protocol's words. */
export const MAX_CONNECTIONS = 256;
/**
 * Connections one client address (IP) may hold on one TCP server: half the slots, so one hostile
 * local process cannot take them all. Newcomers over it are refused in the protocol's words.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 128;
/**
 * Long-lived streams (HTTP Server-Sent Events) at once on one server. They are counted apart from
 * the short exchanges, which keep the remaining slots; over it a new stream is refused (503).
 */
export const MAX_STREAMS = 64;
/** Long-lived streams one client address may hold (a dashboard tab holds one). */
export const MAX_STREAMS_PER_ADDRESS = 16;
/**
 * Receive buffer asked for each UDP socket, so a burst of datagrams (a flood, or many clients at
 * once) waits in the kernel instead of being dropped before it is read. The kernel caps it at
 * net.core.rmem_max (and doubles it for bookkeeping).
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** A connection with no traffic for this long is closed (RFC 5321 §4.5.3.2.7 suggests 5 minutes for SMTP). */
export const IDLE_TIMEOUT_MS = 5 * 60_000;
/** How long `close()` lets in-flight exchanges finish before it destroys what is left. */
export const CLOSE_GRACE_MS = 5_000;
/** Records the in-memory exchange ring keeps; older ones are dropped so memory does not grow with traffic. */
export const EXCHANGE_LOG_CAPACITY = 10_000;
/** Longest request/response line kept in an exchange record; longer ones are cut with an ellipsis. */
export const EXCHANGE_TEXT_MAX = 300;
