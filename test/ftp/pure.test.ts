import { describe, expect, it } from 'vitest';
import { splitReplies } from '../../protocols/ftp/client-log.js';
import {
  formatEpsv,
  formatPasv,
  parseCommand,
  parseEprtArg,
  parsePortArg,
  stripListOptions,
} from '../../protocols/ftp/command-parser.js';
import { formatReply, quotePath, reply, summarizeReply } from '../../protocols/ftp/replies.js';
import { LineReader } from '../../shared/line-reader.js';

describe('parseCommand', () => {
  it.each([
    ['NOOP', 'NOOP', ''],
    ['noop', 'NOOP', ''],
    ['RETR a file.txt', 'RETR', 'a file.txt'],
    ['STOR  lead', 'STOR', ' lead'],
    ['CWD dir ', 'CWD', 'dir '],
    ['\ufffd\ufffdABOR', 'ABOR', ''],
    ['  USER bob', 'USER', 'bob'],
    ['', '', ''],
    ['MKD é ü', 'MKD', 'é ü'],
  ])('%j → %s %j', (line, verb, arg) => {
    expect(parseCommand(line)).toEqual({ verb, arg });
  });

  it('gives the same commands whatever the TCP segmentation (split at every byte)', async () => {
    const wire = Buffer.from('USER bob\r\nPASS x y\r\nRETR é.txt\nNOOP\r\n', 'utf8');
    const expected = ['USER|bob', 'PASS|x y', 'RETR|é.txt', 'NOOP|'];
    for (let cut = 0; cut <= wire.length; cut++) {
      const got: string[] = [];
      const reader = new LineReader((e) => {
        if (!e.error) {
          const c = parseCommand(e.line);
          got.push(`${c.verb}|${c.arg}`);
        }
      });
      await new Promise<void>((resolve) => reader.write(wire.subarray(0, cut), () => resolve()));
      await new Promise<void>((resolve) => reader.write(wire.subarray(cut), () => resolve()));
      expect(got, `cut at ${cut}`).toEqual(expected);
    }
  });
});

describe('PORT / EPRT arguments', () => {
  it.each([
    ['127,0,0,1,4,1', { host: '127.0.0.1', port: 1025 }],
    [' 10,1,2,3,255,255 ', { host: '10.1.2.3', port: 65535 }],
    ['127,0,0,1,0,0', undefined],
    ['127,0,0,1,4', undefined],
    ['127,0,0,256,4,1', undefined],
    ['a,b,c,d,e,f', undefined],
    ['', undefined],
  ])('PORT %j', (arg, want) => {
    expect(parsePortArg(arg)).toEqual(want);
  });

  it.each([
    ['|1|127.0.0.1|6446|', { host: '127.0.0.1', port: 6446 }],
    ['|2|::1|6446|', { host: '::1', port: 6446 }],
    ['!1!10.0.0.1!2000!', { host: '10.0.0.1', port: 2000 }],
    ['|3|x|1|', 'unsupported'],
    ['|1|::1|6446|', undefined],
    ['|1|127.0.0.1|0|', undefined],
    ['|1|127.0.0.1|70000|', undefined],
    ['|1|127.0.0.1|', undefined],
    ['1|127.0.0.1|21|', undefined],
  ])('EPRT %j', (arg, want) => {
    expect(parseEprtArg(arg)).toEqual(want);
  });

  it('formats PASV and EPSV replies', () => {
    expect(formatPasv('127.0.0.1', 50001)).toBe('Entering Passive Mode (127,0,0,1,195,81).');
    expect(formatEpsv(50001)).toBe('Entering Extended Passive Mode (|||50001|)');
  });

  it.each([
    ['-la', ''],
    ['-a dir', 'dir'],
    ['-l -a my dir', 'my dir'],
    ['dir', 'dir'],
    ['', ''],
  ])('LIST argument %j → %j', (arg, want) => {
    expect(stripListOptions(arg)).toBe(want);
  });
});

describe('replies', () => {
  it('formats single and multi-line replies (RFC 959 §4.2)', () => {
    expect(formatReply(reply(200, 'OK'))).toBe('200 OK\r\n');
    // Raw middle lines (STAT's listing) are not indented, unless they could pass for a reply line.
    expect(formatReply({ ...reply(213, 'Status:', '-rw-r--r-- a', '213 x', 'End.'), raw: true })).toBe(
      '213-Status:\r\n-rw-r--r-- a\r\n 213 x\r\n213 End.\r\n',
    );
    expect(formatReply(reply(211, 'Features:', 'EPSV', ' UTF8', 'End'))).toBe(
      '211-Features:\r\n EPSV\r\n UTF8\r\n211 End\r\n',
    );
  });

  it('never lets a text break the framing', () => {
    expect(formatReply(reply(550, 'a\r\n226 fake'))).toBe('550 a  226 fake\r\n');
  });

  it('middle lines never look like a final line', () => {
    const text = formatReply(reply(213, 'Status:', '213 sneaky', 'End'));
    expect(text.split('\r\n').filter((l) => /^213 /.test(l))).toEqual(['213 End']);
  });

  it('summarizes and quotes', () => {
    // Every line of a multi-line reply reaches the record (issue #20: FEAT showed only '211 End').
    expect(summarizeReply(reply(211, 'Features:', ' EPSV', ' UTF8', 'End'))).toBe('211 Features: EPSV UTF8 End');
    expect(summarizeReply(reply(226, 'Transfer complete'))).toBe('226 Transfer complete');
    expect(quotePath('/a "b"')).toBe('"/a ""b"""');
  });
});

describe('splitReplies (client side)', () => {
  const wire = '220 hi\r\n211-Features:\r\n EPSV\r\n211 End\r\n150 go\r\n226 done\r\n';
  it('frames replies at every split point', () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const first = splitReplies(wire.slice(0, cut));
      const second = splitReplies(first.rest + wire.slice(cut));
      expect([...first.replies, ...second.replies], `cut ${cut}`).toEqual(['220 hi', '211 End', '150 go', '226 done']);
      expect(second.rest).toBe('');
    }
  });
});
