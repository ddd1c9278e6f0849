/**
 * Connection-scope faults (TCP toxics) for any TCP protocol: the gate the TcpServer runs for each
 * admitted connection. A rule that fires may hold the connection back (`delayMs`), reset it at
 * once (`reset`), accept it and say nothing (`drop`: the protocol never sees it, its reads are
 * discarded, the idle timeout and the connection limit still apply), or wrap its socket in
 * toxics (latency, bandwidth, slices, close/reset after N bytes) before the protocol greets.
 * @module
 */
import type { ConnectionGate, TcpConnection } from '../tcp-server.js';
import type { FaultEngine } from './engine.js';
import { applyToxics, hasToxics } from './toxic-socket.js';

/** The fault notes of connections a rule changed, for the records of their exchanges. */
const notes = new WeakMap<TcpConnection, string>();

/** `"<rule id>: <what>"` when a connection-scope rule changed `conn`, else undefined. */
export function connectionFault(conn: TcpConnection): string | undefined {
  return notes.get(conn);
}

/** The gate applying `engine`'s connection-scope rules of `protocol`; undefined without an engine. */
export function connectionGate(engine: FaultEngine | undefined, protocol: string): ConnectionGate | undefined {
  if (!engine) return undefined;
  return (conn, serve) => {
    if (!engine.has(protocol, 'connection')) return serve();
    const hit = engine.decide(protocol, { peer: conn.remoteAddress }, 'connection');
    if (!hit) return serve();
    notes.set(conn, hit.note);
    const action = hit.action;
    const go = () => {
      if (conn.closed) return;
      if (action.reset && action.closeAfterBytes === undefined) {
        conn.socket.resetAndDestroy();
        conn.close();
      } else if (action.drop) {
        conn.socket.resume();
      } else {
        if (hasToxics(action)) applyToxics(conn.socket, action);
        serve();
      }
    };
    if (action.delayMs) setTimeout(go, action.delayMs).unref();
    else go();
  };
}
