import { describe, expect, it } from 'vitest';
import { type LineEvent, LineReader } from '../../shared/line-reader.js';

async function feed(chunks: Buffer[], maxLineLength = 100): Promise<string[]> {
  const out: string[] = [];
  const reader = new LineReader(
    (e: LineEvent) => {
      out.push(e.error ? `!${e.error.code}` : e.line);
    },
    { maxLineLength },
  );
  for (const c of chunks) await new Promise<void>((r) => reader.write(c, () => r()));
  return out;
}

describe('LineReader', () => {
  const input = Buffer.from('USER anna\r\nPASS x\nNOOP\r\nnaïve ünïcode\r\n\r\n');
  const expected = ['USER anna', 'PASS x', 'NOOP', 'naïve ünïcode', ''];

  it('splits CRLF and bare LF lines', async () => {
    expect(await feed([input])).toEqual(expected);
  });

  it('gives the same lines when the input is split at every byte boundary', async () => {
    for (let i = 1; i < input.length; i++) {
      expect(await feed([input.subarray(0, i), input.subarray(i)])).toEqual(expected);
    }
    expect(await feed([...input].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('reports an over-long line once, discards it, and goes on', async () => {
    const long = Buffer.from(`${'x'.repeat(50)}\r\nOK\r\n${'y'.repeat(500)}\r\nNEXT\r\n`);
    expect(await feed([long], 20)).toEqual(['!MS_LINE_TOO_LONG', 'OK', '!MS_LINE_TOO_LONG', 'NEXT']);
    // byte by byte, with the overflow detected before any terminator arrives
    expect(
      await feed(
        [...long].map((b) => Buffer.from([b])),
        20,
      ),
    ).toEqual(['!MS_LINE_TOO_LONG', 'OK', '!MS_LINE_TOO_LONG', 'NEXT']);
  });

  it('keeps at most maxLineLength + 1 bytes of an unterminated line', async () => {
    const reader = new LineReader(() => {}, { maxLineLength: 10 });
    for (let i = 0; i < 1000; i++) await new Promise<void>((r) => reader.write(Buffer.from('abcdefgh'), () => r()));
    expect(reader.buffered).toBeLessThanOrEqual(11);
  });

  it('accepts a line of exactly maxLineLength, with its CR', async () => {
    expect(await feed([Buffer.from(`${'a'.repeat(10)}\r\n`)], 10)).toEqual(['a'.repeat(10)]);
  });

  it('hands over the next line only after the handler finished (backpressure)', async () => {
    const order: string[] = [];
    const reader = new LineReader(async (e) => {
      if (e.error) return;
      order.push(`start ${e.line}`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`end ${e.line}`);
    });
    await new Promise<void>((r) => reader.write(Buffer.from('a\nb\n'), () => r()));
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
