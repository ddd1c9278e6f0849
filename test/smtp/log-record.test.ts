import { describe, expect, it } from 'vitest';
import {
  checksumOk,
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  RecordType,
  recordBytes,
} from '../../protocols/smtp/log-record.js';

function record(type: RecordType, txn: number, key: string, data: Buffer[]): Buffer {
  const k = Buffer.from(key);
  return Buffer.concat([encodeHeader(type, txn, k, data), ...data]);
}

describe('mail log records', () => {
  const cases: [string, RecordType, number, string, Buffer[]][] = [
    [
      'a commit with key and data in pieces',
      RecordType.commit,
      7,
      '1700.P1Q2Rab.host',
      [Buffer.from('Subject: x\r\n'), Buffer.from('\r\nbody\r\n')],
    ],
    ['a chunk without key', RecordType.chunk, 0xffffffff, '', [Buffer.alloc(70_000, 0x61)]],
    ['a delete without data', RecordType.delete, 0, 'id.with.dots', []],
    ['a clear', RecordType.clear, 0, '', []],
  ];

  for (const [name, type, txn, key, data] of cases) {
    it(`reads back ${name}`, () => {
      const bytes = record(type, txn, key, data);
      const header = decodeHeader(bytes);
      const dataLength = data.reduce((n, d) => n + d.length, 0);
      expect(header).toMatchObject({ type, txn, keyLength: Buffer.byteLength(key), dataLength });
      expect(bytes.length).toBe(recordBytes(Buffer.byteLength(key), dataLength));
      expect(header && checksumOk(bytes, header)).toBe(true);
      expect(bytes.subarray(HEADER_BYTES, HEADER_BYTES + Buffer.byteLength(key)).toString()).toBe(key);
      expect(bytes.subarray(HEADER_BYTES + Buffer.byteLength(key))).toEqual(Buffer.concat(data));
    });
  }

  it('recognises a record cut at every byte as torn', () => {
    const bytes = record(RecordType.commit, 3, 'k', [Buffer.from('Subject: cut\r\n\r\nhello\r\n')]);
    for (let n = 0; n < bytes.length; n++) {
      const part = bytes.subarray(0, n);
      const header = decodeHeader(part);
      // Too short for a header, or the checksum cannot be checked over fewer bytes than stated.
      expect(header === undefined || !checksumOk(part, header)).toBe(true);
    }
  });

  it('recognises a changed byte anywhere in the record', () => {
    const bytes = record(RecordType.commit, 3, 'key', [Buffer.from('Subject: flip\r\n\r\nhello\r\n')]);
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i] as number) ^ 0x01;
      const header = decodeHeader(copy);
      expect(header === undefined || !checksumOk(copy, header)).toBe(true);
    }
  });

  it('refuses headers with impossible fields', () => {
    const bytes = record(RecordType.chunk, 1, '', [Buffer.from('x')]);
    const badType = Buffer.from(bytes);
    badType[4] = 9;
    expect(decodeHeader(badType)).toBeUndefined();
    const badMagic = Buffer.from(bytes);
    badMagic[0] = 0;
    expect(decodeHeader(badMagic)).toBeUndefined();
    const hugeLength = Buffer.from(bytes);
    hugeLength.writeUInt32BE(0xffffffff, 12);
    expect(decodeHeader(hugeLength)).toBeUndefined();
  });
});
