import { runTcpConformance } from '../conformance/tcp-server.js';
import { startHttp } from './helpers.js';

runTcpConformance({
  name: 'http',
  async start(limits) {
    const http = await startHttp({
      ...(limits.maxConnections !== undefined ? { maxConnections: limits.maxConnections } : {}),
      ...(limits.maxConnectionsPerAddress !== undefined
        ? { maxConnectionsPerAddress: limits.maxConnectionsPerAddress }
        : {}),
      ...(limits.idleTimeoutMs !== undefined ? { idleTimeoutMs: limits.idleTimeoutMs } : {}),
      ...(limits.maxLineLength !== undefined ? { maxHeaderBytes: limits.maxLineLength } : {}),
    });
    return { port: http.service.port, close: () => http.close() };
  },
  request: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  response: /^HTTP\/1\.1 200 OK\r\n/,
  maxLineLength: 1024,
  // node answers a head over maxHeaderSize with 431, a line that is no request line with 400.
  longLineReply: /^HTTP\/1\.1 (400|414|431) /,
  longLineCloses: true,
  fullReply: /^HTTP\/1\.1 503 /,
});
