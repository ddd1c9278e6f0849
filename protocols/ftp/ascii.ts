/**
 * TYPE A (RFC 959 §3.1.1.1): on the wire every line ends with CRLF. Files here end lines with LF,
 * so RETR turns each bare LF into CRLF and STOR turns CRLF back into LF, as pyftpdlib does on a
 * POSIX system. A CRLF split between two chunks is handled; other bytes pass untouched.
 * @module
 */
import { Transform } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from([CR, LF]);

/** For sending: LF not preceded by CR becomes CRLF. */
export function toNetworkAscii(): Transform {
  let lastWasCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) {
        const before = at > 0 ? chunk[at - 1] : lastWasCr ? CR : undefined;
        if (before === CR) continue;
        parts.push(chunk.subarray(from, at), CRLF);
        from = at + 1;
      }
      parts.push(chunk.subarray(from));
      if (chunk.length > 0) lastWasCr = chunk[chunk.length - 1] === CR;
      done(null, parts.length === 1 ? chunk : Buffer.concat(parts));
    },
  });
}

/** For receiving: CRLF becomes LF; a lone CR stays. */
export function fromNetworkAscii(): Transform {
  let pendingCr = false;
  return new Transform({
    transform(input: Buffer, _encoding, done) {
      let chunk = pendingCr ? Buffer.concat([Buffer.from([CR]), input]) : input;
      pendingCr = chunk.length > 0 && chunk[chunk.length - 1] === CR;
      if (pendingCr) chunk = chunk.subarray(0, -1);
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = chunk.indexOf(CRLF); at !== -1; at = chunk.indexOf(CRLF, at + 2)) {
        parts.push(chunk.subarray(from, at));
        from = at + 1;
      }
      parts.push(chunk.subarray(from));
      done(null, parts.length === 1 ? chunk : Buffer.concat(parts));
    },
    flush(done) {
      done(null, pendingCr ? Buffer.from([CR]) : null);
    },
  });
}
