import { describe, expect, it } from 'vitest';
import { GuardedSmtpStream, guardCommandChunk, OVERLONG_SENTINEL } from '../../protocols/smtp/command-guard.js';

const MAX = 10;
const TOO_LONG = '<too long>';

/** Feeds `input` in the given pieces and collects the commands (and message bodies) the parser sees. */
async function feed(pieces: Buffer[]): Promise<string[]> {
  const parser = new GuardedSmtpStream(MAX);
  const seen: string[] = [];
  parser.oncommand = (command: Buffer, callback?: () => void) => {
    if (command.equals(OVERLONG_SENTINEL)) seen.push(TOO_LONG);
    else seen.push(command.toString('latin1'));
    if (command.toString() === 'DATA') {
      const body = parser.startDataMode();
      const chunks: Buffer[] = [];
      body.on('data', (c: Buffer) => chunks.push(c));
      body.on('end', () => {
        seen.push(`body:${Buffer.concat(chunks).toString('latin1')}`);
        parser.continue();
      });
    }
    setImmediate(() => callback?.());
  };
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) => parser.write(piece, (err) => (err ? reject(err) : resolve())));
  }
  await new Promise((r) => setImmediate(r));
  return seen;
}

/** Every way to cut `text` in two, plus byte by byte. */
function splits(text: string): Buffer[][] {
  const all = Buffer.from(text, 'latin1');
  const out: Buffer[][] = [[all]];
  for (let i = 1; i < all.length; i++) out.push([all.subarray(0, i), all.subarray(i)]);
  out.push([...all].map((b) => Buffer.from([b])));
  return out;
}

const cases: { name: string; input: string; expected: string[] }[] = [
  { name: 'short lines pass', input: 'NOOP\r\nRSET\r\n', expected: ['NOOP', 'RSET'] },
  { name: 'a line of exactly the limit passes', input: 'NOOP123456\r\nNOOP\r\n', expected: ['NOOP123456', 'NOOP'] },
  { name: 'bare LF lines pass', input: 'NOOP\nRSET\n', expected: ['NOOP', 'RSET'] },
  { name: 'one byte over is refused', input: 'NOOP1234567\r\nNOOP\r\n', expected: [TOO_LONG, 'NOOP'] },
  {
    name: 'a long line between short ones',
    input: `NOOP\r\n${'A'.repeat(40)}\r\nRSET\r\n`,
    expected: ['NOOP', TOO_LONG, 'RSET'],
  },
  {
    name: 'message content after DATA is not limited',
    input: `DATA\r\n${'B'.repeat(40)}\r\n.\r\nNOOP\r\n`,
    expected: ['DATA', `body:${'B'.repeat(40)}\r\n`, 'NOOP'],
  },
  {
    name: 'commands pipelined after the message are limited again',
    input: `DATA\r\nx\r\n.\r\n${'C'.repeat(30)}\r\nNOOP\r\n`,
    expected: ['DATA', 'body:x\r\n', TOO_LONG, 'NOOP'],
  },
];

describe('GuardedSmtpStream', () => {
  for (const c of cases) {
    it(`${c.name}, at every split`, async () => {
      for (const pieces of splits(c.input)) {
        // A long line cut before its end is reported once, when the limit is passed.
        expect(await feed(pieces), JSON.stringify(pieces.map((p) => p.toString('latin1')))).toEqual(c.expected);
      }
    });
  }

  it('answers an unterminated over-long line at once', async () => {
    expect(await feed([Buffer.from(`NOOP\r\n${'D'.repeat(100)}`)])).toEqual(['NOOP', TOO_LONG]);
  });
});

describe('guardCommandChunk', () => {
  it('drops the part of the line the parser already holds', () => {
    const r = guardCommandChunk(Buffer.from('AAAAAAA\r\nNOOP\r\n'), { carried: 'AAAAAAAA', discarding: false }, MAX);
    expect(r.dropCarried).toBe(true);
    expect(r.out.toString('latin1')).toBe(`${OVERLONG_SENTINEL.toString('latin1')}\r\nNOOP\r\n`);
  });

  it('keeps skipping until the LF of an over-long line', () => {
    const r = guardCommandChunk(Buffer.from('more text'), { carried: '', discarding: true }, MAX);
    expect(r).toMatchObject({ discarding: true, dropCarried: false });
    expect(r.out.length).toBe(0);
    const end = guardCommandChunk(Buffer.from('end\r\nNOOP\r\n'), { carried: '', discarding: true }, MAX);
    expect(end.discarding).toBe(false);
    expect(end.out.toString()).toBe('NOOP\r\n');
  });
});
