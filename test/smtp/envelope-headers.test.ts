import { describe, expect, it } from 'vitest';
import { formatEnvelopeHeaders, parseEnvelopeHeaders } from '../../protocols/smtp/envelope-headers.js';

describe('envelope trace lines', () => {
  it.each([
    [{ mailFrom: 'a@b.test', rcptTo: ['c@d.test'] }],
    [{ mailFrom: '', rcptTo: ['c@d.test', 'bcc@e.test'] }],
    [{ mailFrom: 'ü@exämple.test', rcptTo: ['ä@b.test'] }],
  ])('round-trips %j', (envelope) => {
    const raw = Buffer.concat([formatEnvelopeHeaders(envelope), Buffer.from('Subject: x\r\n\r\nbody\r\n')]);
    expect(parseEnvelopeHeaders(raw)).toEqual(envelope);
  });

  it('writes Return-Path first and one Delivered-To per recipient', () => {
    expect(formatEnvelopeHeaders({ mailFrom: '', rcptTo: ['a@b.test', 'c@d.test'] }).toString()).toBe(
      'Return-Path: <>\r\nDelivered-To: a@b.test\r\nDelivered-To: c@d.test\r\n',
    );
  });

  it('cannot be made to inject header lines', () => {
    const text = formatEnvelopeHeaders({ mailFrom: 'a@b.test>\r\nBcc: x', rcptTo: ['c@d.test\r\nX: y'] }).toString();
    expect(text.split('\r\n')).toEqual(['Return-Path: <a@b.testBcc: x>', 'Delivered-To: c@d.testX: y', '']);
  });

  it('finds no envelope in a message that does not start with Return-Path', () => {
    expect(parseEnvelopeHeaders(Buffer.from('Subject: x\r\nDelivered-To: a@b.test\r\n\r\n'))).toBeUndefined();
  });

  it('reads only the Delivered-To lines right after Return-Path', () => {
    const raw = Buffer.from(
      'Return-Path: <a@b.test>\r\nDelivered-To: c@d.test\r\nSubject: x\r\nDelivered-To: z@z.test\r\n\r\n',
    );
    expect(parseEnvelopeHeaders(raw)).toEqual({ mailFrom: 'a@b.test', rcptTo: ['c@d.test'] });
  });
});
