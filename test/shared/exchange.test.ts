import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ExchangeInput, ExchangeLog, oneLine } from '../../shared/exchange.js';
import { attachConsole, colorFor, formatJson, formatPretty } from '../../shared/exchange-format.js';

const base: ExchangeInput = {
  protocol: 'ftp',
  side: 'server',
  transport: 'tcp',
  session: 'ftp-1',
  peer: '127.0.0.1:40022',
  request: 'RETR hello.txt',
  response: '226 Transfer complete',
  ok: true,
  bytesIn: 0,
  bytesOut: 13,
  durationMs: 2.1,
};

describe('ExchangeLog', () => {
  it('stays bounded under 100,000 records and keeps the newest', () => {
    const log = new ExchangeLog({ capacity: 1000 });
    for (let i = 0; i < 100_000; i++) log.add({ ...base, request: `RETR f${i}` });
    expect(log.size).toBe(1000);
    expect(log.total).toBe(100_000);
    const all = log.toArray();
    expect(all).toHaveLength(1000);
    expect(all[0]?.request).toBe('RETR f99000');
    expect(all.at(-1)?.request).toBe('RETR f99999');
    expect(all.at(-1)?.id).toBe(100_000);
  });

  it('reads back every field of every kept record as it was added, across the ring wrapping', () => {
    const log = new ExchangeLog({ capacity: 4 });
    const added = [
      log.add({ ...base, time: 1_764_000_000_123 }),
      log.add({ ...base, protocol: 'dns', side: 'client', transport: 'udp', ok: false, bytesIn: 0, durationMs: 0.25 }),
      log.add({
        ...base,
        protocol: 'smtp',
        transport: 'tls',
        session: 'smtp-9',
        peer: '[::1]:2525',
        bytesOut: 2 ** 40,
      }),
      log.add({ ...base, protocol: 'http', request: 'GET /é', response: '404 Not Found', ok: false }),
      log.add({ ...base, time: new Date('2026-11-25T16:00:00.999Z'), request: 'QUIT', response: '221 Bye' }),
      log.add({ ...base, request: 'NOOP', response: '200 OK', durationMs: 12.34 }),
    ];
    const all = log.toArray();
    expect(all).toEqual(added.slice(2));
    // Same fields in the same order: the JSON forms (log files, the HTTP API) are identical.
    expect(all.map((r) => JSON.stringify(r))).toEqual(added.slice(2).map((r) => JSON.stringify(r)));
    expect(log.recent({ protocol: 'http' })).toEqual([added[3]]);
    expect(log.recent({ limit: 2 })).toEqual(added.slice(4));
    log.clear();
    expect(log.toArray()).toEqual([]);
    expect(log.add(base).id).toBe(7);
    expect(log.toArray().map((r) => r.id)).toEqual([7]);
  });

  it('defaults to 10,000 records', () => {
    const log = new ExchangeLog();
    for (let i = 0; i < 10_050; i++) log.add(base);
    expect(log.size).toBe(10_000);
    expect(log.toArray()[0]?.id).toBe(51);
  });

  it('filters recent records by protocol, oldest first', () => {
    const log = new ExchangeLog();
    log.add({ ...base, request: 'a' });
    log.add({ ...base, protocol: 'dns', request: 'A x.test' });
    log.add({ ...base, request: 'b' });
    log.add({ ...base, request: 'c' });
    expect(log.recent({ protocol: 'ftp', limit: 2 }).map((r) => r.request)).toEqual(['b', 'c']);
    expect(log.recent({ protocol: 'dns' }).map((r) => r.request)).toEqual(['A x.test']);
  });

  it('notifies subscribers until they unsubscribe, and survives a throwing one', () => {
    const log = new ExchangeLog();
    const seen: number[] = [];
    log.subscribe(() => {
      throw new Error('broken');
    });
    const off = log.subscribe((r) => seen.push(r.id));
    log.add(base);
    off();
    log.add(base);
    expect(seen).toEqual([1]);
  });

  it('keeps request and response to one bounded line', () => {
    const log = new ExchangeLog();
    const r = log.add({ ...base, request: 'RETR a\r\nDELE b', response: 'x'.repeat(1000) });
    expect(r.request).toBe('RETR a DELE b');
    expect(r.response.length).toBeLessThanOrEqual(300);
    expect(oneLine('a\u0000b')).toBe('a b');
  });

  it.each([
    ['clean text', 'A www.suite.test', 'A www.suite.test'],
    ['outer spaces', '  250 OK  ', '250 OK'],
    ['outer control characters', '\r\n250 OK\r\n', '250 OK'],
    ['a run of controls inside', 'a\t\t\u007fb', 'a b'],
    ['non-ASCII', 'été → 😀', 'été → 😀'],
    ['empty', '', ''],
  ])('oneLine: %s', (_label, text, expected) => {
    expect(oneLine(text)).toBe(expected);
    // Twice: the clean path and the replacing path must not share state between calls.
    expect(oneLine(text)).toBe(expected);
  });

  it('cuts long lines with an ellipsis at the limit', () => {
    expect(oneLine('abcdef', 4)).toBe('abc…');
    expect(oneLine('abcd', 4)).toBe('abcd');
  });

  it('stamps the time given (Date or ISO text) or now, to the millisecond', () => {
    const log = new ExchangeLog();
    const t1 = new Date(Date.UTC(2026, 0, 1, 11, 42, 8, 20));
    const t2 = new Date(t1.getTime() + 1);
    expect(log.add({ ...base, time: t1 }).time).toBe('2026-01-01T11:42:08.020Z');
    expect(log.add({ ...base, time: t1 }).time).toBe('2026-01-01T11:42:08.020Z');
    expect(log.add({ ...base, time: t2.toISOString() }).time).toBe('2026-01-01T11:42:08.021Z');
    expect(log.add({ ...base, time: t1 }).time).toBe('2026-01-01T11:42:08.020Z');
    const before = Date.now();
    const now = Date.parse(log.add(base).time);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(() => log.add({ ...base, time: 'not a time' })).toThrow(RangeError);
  });

  it('makes every request and response one line, also when a text repeats or changes', () => {
    const log = new ExchangeLog();
    const texts = ['GET /a\r\nX: 1', 'GET /a\r\nX: 1', 'GET /b', 'GET /a\r\nX: 1', ''];
    const lines = texts.map((t) => log.add({ ...base, request: t, response: t }));
    expect(lines.map((r) => r.request)).toEqual(['GET /a X: 1', 'GET /a X: 1', 'GET /b', 'GET /a X: 1', '']);
    expect(lines.map((r) => r.response)).toEqual(lines.map((r) => r.request));
  });

  it('keeps its own copy: a record changed by whoever received it changes nothing the log gives out', () => {
    const log = new ExchangeLog();
    log.subscribe((r) => {
      (r as { request: string }).request = 'changed by a listener';
    });
    const r = log.add(base) as { response: string; bytesIn: number };
    r.response = 'changed by the caller';
    r.bytesIn = -1;
    const kept = log.toArray()[0] as { response: string } | undefined;
    if (kept) kept.response = 'changed by a reader';
    expect(kept?.response).toBe('changed by a reader');
    expect(log.toArray()).toEqual([
      expect.objectContaining({ request: base.request, response: base.response, bytesIn: base.bytesIn }),
    ]);
  });
});

describe('exchange formats', () => {
  it('prints the pretty timeline line of SPEC.md', () => {
    const line = formatPretty({ ...base, id: 1, time: new Date(2026, 0, 1, 11, 42, 8, 20).toISOString() });
    expect(line).toMatch(
      /^11:42:08\.020 {2}ftp {3}server {2}127\.0\.0\.1:40022 {2}RETR hello\.txt {11}→ 226 Transfer complete {3}2\.1 ms {2}13 B$/,
    );
  });

  it('prints each record with its own clock time', () => {
    const at = (h: number, m: number, s: number, ms: number) =>
      formatPretty({ ...base, id: 1, time: new Date(2026, 0, 1, h, m, s, ms).toISOString() }).slice(0, 12);
    expect(at(9, 5, 3, 7)).toBe('09:05:03.007');
    expect(at(9, 5, 3, 7)).toBe('09:05:03.007');
    expect(at(23, 59, 59, 999)).toBe('23:59:59.999');
    expect(at(0, 0, 0, 45)).toBe('00:00:00.045');
  });

  it('prints JSON lines with every field', () => {
    const rec = new ExchangeLog().add(base);
    const parsed = JSON.parse(formatJson(rec)) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(
      [
        'id',
        'time',
        'protocol',
        'side',
        'transport',
        'session',
        'peer',
        'request',
        'response',
        'ok',
        'bytesIn',
        'bytesOut',
        'durationMs',
      ].sort(),
    );
    expect(parsed['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('attachConsole', () => {
  const sink = () => {
    const writes: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        writes.push(chunk.toString());
        cb();
      },
    });
    return { writes, stream };
  };

  it('writes one line per record, unbatched', () => {
    const log = new ExchangeLog();
    const { writes, stream } = sink();
    attachConsole(log, stream, 'json');
    log.add(base);
    log.add(base);
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[0] ?? '')).toMatchObject({ request: 'RETR hello.txt' });
  });

  it('batches the records of one event-loop turn into one write, and flushes on detach', async () => {
    const log = new ExchangeLog();
    const { writes, stream } = sink();
    const detach = attachConsole(log, stream, 'pretty', { batch: true });
    log.add({ ...base, request: 'a' });
    log.add({ ...base, request: 'b' });
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.split('\n')).toHaveLength(3);
    log.add({ ...base, request: 'c' });
    detach();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/ c +→ 226/);
    log.add({ ...base, request: 'after detach' });
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
  });

  it('writes batched pretty lines as UTF-8, identical to formatPretty, including non-ASCII texts', async () => {
    const log = new ExchangeLog();
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    attachConsole(log, stream, 'pretty', { batch: true });
    const records = [
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt' }),
      // The same session again with the same texts, then with a new response and a new peer.
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt', durationMs: 12 }),
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt', durationMs: 0.04 }),
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt', durationMs: 0.06 }),
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt', durationMs: 0.06, bytesOut: 2048 }),
      log.add({ ...base, session: 'ftp-1', request: 'RETR été.txt', response: '550 Pas trouvé' }),
      log.add({ ...base, session: 'ftp-1', peer: '[::1]:2121', request: 'RETR été.txt', response: '550 Pas trouvé' }),
      log.add({ ...base, session: 'ftp-2', request: 'NOOP', bytesIn: 0, bytesOut: 0 }),
      log.add({ ...base, session: 'dns-1', protocol: 'dns', request: 'A 例え.test', response: 'NOERROR 1 answer' }),
    ];
    await new Promise((r) => setImmediate(r));
    expect(chunks).toHaveLength(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(records.map((r) => `${formatPretty(r)}\n`).join(''));
  });

  it('colours failed exchanges red when asked, batched or not, and leaves the rest plain', async () => {
    for (const batch of [false, true]) {
      const log = new ExchangeLog();
      const { writes, stream } = sink();
      const detach = attachConsole(log, stream, 'pretty', { batch, color: true });
      const good = log.add({ ...base, session: 's-1' });
      const bad = log.add({ ...base, session: 's-1', response: '550 No such file', ok: false });
      await new Promise((r) => setImmediate(r));
      detach();
      const lines = writes
        .join('')
        .split('\n')
        .filter((l) => l !== '');
      expect(lines).toEqual([formatPretty(good), `\x1b[31m${formatPretty(bad)}\x1b[0m`]);
      expect(formatPretty(bad, { color: true })).toBe(lines[1]);
    }
    // JSON lines never carry colour codes.
    const log = new ExchangeLog();
    const { writes, stream } = sink();
    attachConsole(log, stream, 'json', { color: true });
    log.add({ ...base, ok: false });
    expect(writes[0]).not.toContain('\x1b');
  });

  it('colours only a terminal, and never with NO_COLOR set', () => {
    expect(colorFor({ isTTY: true }, {})).toBe(true);
    expect(colorFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorFor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorFor({ isTTY: false }, {})).toBe(false);
    expect(colorFor({}, {})).toBe(false);
  });
});
