/**
 * cli/server-arg.ts: the one `--server HOST:PORT` parser of the client commands.
 */
import { describe, expect, it } from 'vitest';
import { parseServer } from '../../cli/server-arg.js';
import { UsageError } from '../../cli/usage.js';

describe('parseServer', () => {
  it.each([
    ['mail.test:25', { host: 'mail.test', port: 25 }],
    ['127.0.0.1', { host: '127.0.0.1', port: 2525 }],
    ['[::1]:2526', { host: '::1', port: 2526 }],
    ['[::1]', { host: '::1', port: 2525 }],
    ['::1', { host: '::1', port: 2525 }],
    [' localhost:1 ', { host: 'localhost', port: 1 }],
  ])('parses %j', (text, expected) => {
    expect(parseServer(text, 2525)).toEqual(expected);
  });
  it.each(['host:notaport', 'host:0', 'host:65536', '', '[nope]:1', 'a b:1', 'a\r\n:1', 'a:1:2x'])(
    'refuses %j naming the flag',
    (text) => {
      expect(() => parseServer(text, 5300)).toThrow(UsageError);
      expect(() => parseServer(text, 5300)).toThrow(/^--server: expected HOST:PORT \(e\.g\. 127\.0\.0\.1:5300\)/);
    },
  );
});
