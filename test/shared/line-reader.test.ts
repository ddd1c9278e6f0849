import { describe, expect, it } from 'vitest';
import { type LineEvent, LineReader, stripTelnet } from '../../shared/line-reader.js';

async function feed(chunks: Buffer[], maxLineLength = 100, telnet = false): Promise<string[]> {
  const out: string[] = [];
  const reader = new LineReader(
    (e: LineEvent) => {
      out.push(e.error ? `!${e.error.code}` : e.line);
    },
    { maxLineLength, telnet },
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

  describe('Telnet mode (RFC 854, as FTP reads its control connection)', () => {
    // IAC IP IAC DM before ABOR (RFC 959 §4.1.3), a bare CR, CR NUL, a WILL negotiation, IAC IAC.
    const telnetInput = Buffer.concat([
      Buffer.from('USER anna\r\n'),
      Buffer.from([0xff, 0xf4, 0xff, 0xf2]),
      Buffer.from('ABOR\r'),
      Buffer.from('PWD\r\0NOOP\n'),
      Buffer.from([0xff, 0xfb, 0x01]),
      Buffer.from('STAT\r\n'),
      Buffer.from('x'),
      Buffer.from([0xff, 0xff]),
      Buffer.from('y\r\n'),
    ]);
    const telnetLines = ['USER anna', 'ABOR', 'PWD', 'NOOP', 'STAT', `x${Buffer.from([0xff]).toString('utf8')}y`];

    it('ends lines at CR LF, a bare CR, CR NUL and LF, and removes Telnet commands', async () => {
      expect(await feed([telnetInput], 100, true)).toEqual(telnetLines);
    });

    it('gives the same lines when the input is split at every byte boundary', async () => {
      for (let i = 1; i < telnetInput.length; i++) {
        expect(await feed([telnetInput.subarray(0, i), telnetInput.subarray(i)], 100, true)).toEqual(telnetLines);
      }
      expect(
        await feed(
          [...telnetInput].map((b) => Buffer.from([b])),
          100,
          true,
        ),
      ).toEqual(telnetLines);
    });

    it('answers a line that ends in a CR with nothing after it (an urgent ABOR whose LF was lost)', async () => {
      expect(await feed([Buffer.from('ABOR\r')], 100, true)).toEqual(['ABOR']);
      // Outside Telnet mode the same bytes wait for their LF.
      expect(await feed([Buffer.from('ABOR\r')])).toEqual([]);
    });

    it('still reports an over-long line once and resumes at the next end of line', async () => {
      const long = Buffer.from(`${'x'.repeat(50)}\rOK\r\n`);
      expect(await feed([long], 20, true)).toEqual(['!MS_LINE_TOO_LONG', 'OK']);
      expect(
        await feed(
          [...long].map((b) => Buffer.from([b])),
          20,
          true,
        ),
      ).toEqual(['!MS_LINE_TOO_LONG', 'OK']);
    });

    it('stripTelnet keeps bytes without IAC untouched', () => {
      const plain = Buffer.from('RETR naïve.txt');
      expect(stripTelnet(plain)).toBe(plain);
      expect(stripTelnet(Buffer.from([0x41, 0xff]))).toEqual(Buffer.from('A'));
    });
  });
});
