import { describe, expect, it } from 'vitest';
import { ExchangeLog } from '../../shared/exchange.js';
import { Recorder } from '../../shared/recorder.js';

const fields = {
  protocol: 'smtp',
  side: 'server',
  transport: 'tcp',
  session: 'smtp-1',
  peer: '127.0.0.1:4000',
} as const;

describe('Recorder', () => {
  it('turns begin(request, bytesIn) → end(response, ok, bytesOut) into one record with the session fields', () => {
    const log = new ExchangeLog();
    const recorder = new Recorder(log, fields);
    const open = recorder.begin('MAIL FROM:<a@b.test>', 22);
    open.bytesOut = 5;
    const record = open.end('250 Accepted', true, 14);
    expect(record).toMatchObject({
      ...fields,
      id: 1,
      request: 'MAIL FROM:<a@b.test>',
      response: '250 Accepted',
      ok: true,
      bytesIn: 22,
      bytesOut: 19,
    });
    expect(record?.time).toBe(new Date(open.time).toISOString());
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
    expect(log.toArray()).toEqual([record]);
  });

  it('records an exchange once, however often it is ended', () => {
    const log = new ExchangeLog();
    const open = new Recorder(log, fields).begin('QUIT');
    expect(open.end('221 Bye', true)).toBeDefined();
    expect(open.ended).toBe(true);
    expect(open.end('421 again', false)).toBeUndefined();
    expect(log.toArray().map((r) => r.response)).toEqual(['221 Bye']);
  });

  it('takes the time when the request begins, not when it ends', () => {
    const log = new ExchangeLog();
    const recorder = new Recorder(log, fields);
    const real = Date.now;
    Date.now = () => 1_000;
    let open: ReturnType<Recorder['begin']>;
    try {
      open = recorder.begin('DATA');
      Date.now = () => 9_000;
    } finally {
      Date.now = real;
    }
    expect(open.end('250 Stored', true)?.time).toBe('1970-01-01T00:00:01.000Z');
  });

  it('carries a later transport, a per-exchange peer and a fault note; nothing without a log', () => {
    const log = new ExchangeLog();
    const recorder = new Recorder(log, fields);
    recorder.transport = 'tls';
    const open = recorder.begin('RCPT TO:<x@blocked.test>', 0, '127.0.0.2:5000');
    open.fault = 'f1: replied 451';
    const record = open.end('451 Try again later', false);
    expect(record).toMatchObject({ transport: 'tls', peer: '127.0.0.2:5000', fault: 'f1: replied 451' });
    expect(recorder.begin('NOOP').end('250 OK', true)).not.toHaveProperty('fault');
    expect(new Recorder(undefined, fields).begin('NOOP').end('250 OK', true)).toBeUndefined();
  });

  it('keeps the duration it recorded, also without a log (for listeners of the server)', async () => {
    const log = new ExchangeLog();
    const open = new Recorder(log, fields).begin('DATA');
    expect(open.durationMs).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const record = open.end('250 Stored', true);
    expect(open.durationMs).toBeGreaterThan(0);
    expect(open.durationMs).toBe(record?.durationMs);
    const alone = new Recorder(undefined, fields).begin('DATA');
    await new Promise((resolve) => setTimeout(resolve, 5));
    alone.end('250 Stored', true);
    expect(alone.durationMs).toBeGreaterThan(0);
  });
});
