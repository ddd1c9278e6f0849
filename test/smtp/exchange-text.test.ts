import { describe, expect, it } from 'vitest';
import { formatReply, maskCommand, ReplyTexts, replyOk } from '../../protocols/smtp/exchange-text.js';

describe('maskCommand', () => {
  it.each([
    ['MAIL FROM:<a@b.test>', false, 'MAIL FROM:<a@b.test>'],
    ['AUTH PLAIN dGVzdAB0ZXN0AHBhc3M=', false, 'AUTH PLAIN ****'],
    ['auth plain dGVzdA==', false, 'AUTH PLAIN ****'],
    ['AUTH LOGIN', false, 'AUTH LOGIN'],
    ['AUTH LOGIN', true, 'AUTH LOGIN ****'],
    ['AUTH LOGIN dXNlcg==', false, 'AUTH LOGIN ****'],
    ['AUTH PLAIN ****', true, 'AUTH PLAIN ****'],
    ['EHLO client.test', false, 'EHLO client.test'],
  ])('%s (continued: %s) → %s', (line, continued, expected) => {
    expect(maskCommand(line, continued)).toBe(expected);
  });
});

describe('formatReply', () => {
  it.each([
    [250, ['2.1.0 Accepted'], '250 Accepted'],
    [250, ['Accepted'], '250 Accepted'],
    [354, ['End data with <CR><LF>.<CR><LF>'], '354 End data with <CR><LF>.<CR><LF>'],
    [334, [''], '334'],
    [550, ['5.1.1 User unknown'], '550 User unknown'],
    [250, ['mx Nice to meet you', 'PIPELINING', 'SIZE 100'], '250 mx Nice to meet you PIPELINING SIZE 100'],
    [250, ['2.6.0 Stored 1.P1Q1R1.host'], '250 Stored 1.P1Q1R1.host'],
  ])('%i %j → %s', (code, lines, expected) => {
    expect(formatReply(code, lines)).toBe(expected);
  });
});

describe('replyOk', () => {
  it.each([
    [220, true],
    [250, true],
    [354, true],
    [421, false],
    [535, false],
  ])('%i → %s', (code, ok) => {
    expect(replyOk(code)).toBe(ok);
  });
});

describe('ReplyTexts', () => {
  it('gives formatReply of a single-line reply and the UTF-8 length of its text, the same object for the same reply', () => {
    const texts = new ReplyTexts();
    const first = texts.get(250, '2.1.0 Accepted');
    expect(first).toMatchObject({ line: '250 Accepted', bytes: 14 });
    expect(texts.get(250, '2.1.0 Accepted')).toBe(first);
    expect(texts.get(250, 'Grüße')).toMatchObject({ line: '250 Grüße', bytes: 7 });
  });

  it('tells replies with the same text but another code apart', () => {
    const texts = new ReplyTexts();
    expect(texts.get(250, 'OK').line).toBe('250 OK');
    expect(texts.get(550, 'OK').line).toBe('550 OK');
    expect(texts.get(250, '').line).toBe('250');
  });

  it('stays bounded: a stream of distinct replies (one per stored message) is still answered right', () => {
    const texts = new ReplyTexts();
    for (let n = 0; n < 1000; n++) expect(texts.get(250, `Stored ${n}`).line).toBe(`250 Stored ${n}`);
  });
});
