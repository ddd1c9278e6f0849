import { runTcpConformance } from '../conformance/tcp-server.js';
import { startSmtp } from './helpers.js';

runTcpConformance({
  name: 'smtp',
  async start(limits) {
    const smtp = await startSmtp({
      ...(limits.maxConnections !== undefined ? { maxConnections: limits.maxConnections } : {}),
      ...(limits.maxConnectionsPerAddress !== undefined
        ? { maxConnectionsPerAddress: limits.maxConnectionsPerAddress }
        : {}),
      ...(limits.idleTimeoutMs !== undefined ? { idleTimeoutMs: limits.idleTimeoutMs } : {}),
      ...(limits.maxLineLength !== undefined ? { maxLineLength: limits.maxLineLength } : {}),
    });
    return { port: smtp.port, close: (options) => smtp.server.close(options).then(() => smtp.close()) };
  },
  greeting: /^220 mx\.test ESMTP/,
  request: 'NOOP\r\n',
  response: /250 2\.0\.0 OK\r\n/,
  maxLineLength: 512,
  longLineReply: /^500 5\.5\.2 Error: line too long/m,
  longLineCloses: false,
  fullReply: /^421 mx\.test Too many connections/,
  shutdownReply: /421 4\.4\.2 mx\.test Service shutting down/,
});
