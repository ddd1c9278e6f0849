import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { fromNetworkAscii, toNetworkAscii } from '../../protocols/ftp/ascii.js';

/** Runs `chunks` through a transform; the output is joined. */
async function through(transform: NodeJS.ReadWriteStream, chunks: string[]): Promise<string> {
  const out = buffer(transform as unknown as Readable);
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c, 'latin1'))), transform);
  return (await out).toString('latin1');
}

/** Every way of cutting `text` into two chunks, and the whole text in one. */
function splits(text: string): string[][] {
  const all = [[text]];
  for (let i = 0; i <= text.length; i++) all.push([text.slice(0, i), text.slice(i)]);
  return all;
}

describe('TYPE A line ends (RFC 959 §3.1.1.1)', () => {
  it.each(splits('a\nb\r\nc\n\n\rd\n'))('sends LF as CRLF, keeps CRLF and lone CR (%#)', async (...chunks) => {
    expect(await through(toNetworkAscii(), chunks)).toBe('a\r\nb\r\nc\r\n\r\n\rd\r\n');
  });

  it.each(splits('a\r\nb\nc\r\n\r\n\rd\r'))('stores CRLF as LF, keeps lone CR and LF (%#)', async (...chunks) => {
    expect(await through(fromNetworkAscii(), chunks)).toBe('a\nb\nc\n\n\rd\r');
  });
});
