/**
 * The library's floor for `npm run bench smtp`: smtp-server alone, with the greeting sent at once
 * (no 100 ms early-talker wait, no reverse lookup) and no storage: the message is read to its end
 * and thrown away, then the 250 is said. Everything minisuite adds (storage, exchange records,
 * the guard) is measured against this. Prints `ready PORT` on stdout.
 * Run: `node --import tsx bench/smtp-peers/library-floor.ts`.
 * @module
 */
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/** smtp-server's connection, started without the fixed wait (as minisuite's own connection does). */
class PromptConnection extends SMTPConnection {
  override init(): void {
    this._setListeners(() => this.connectionReady());
  }
}

class PromptServer extends SMTPServer {
  override connect(socket: net.Socket, socketOptions: Record<string, unknown>): void {
    const connection = new PromptConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', () => {});
    connection.init();
  }
}

const server = new PromptServer({
  logger: false,
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  hideDSN: true,
  size: 10 * 1024 * 1024,
  maxClients: 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.once('end', () => callback(null, 'Accepted'));
  },
});
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address() as net.AddressInfo;
  process.stdout.write(`ready ${address.port}\n`);
});
