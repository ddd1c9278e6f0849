import { runTcpConformance } from '../conformance/tcp-server.js';
import { startFtp } from './helpers.js';

runTcpConformance({
  name: 'ftp',
  async start(limits) {
    const ftp = await startFtp(limits);
    return { port: ftp.port, close: () => ftp.close() };
  },
  greeting: /^220 /,
  request: 'NOOP\r\n',
  response: /200 NOOP ok\r\n/,
  maxLineLength: 512,
  // The issue: an over-long line gets a clean 421 and the connection is closed.
  longLineReply: /421 Command line too long/,
  longLineCloses: true,
  fullReply: /^421 Too many connections/,
  shutdownReply: /421 Server shutting down/,
});
