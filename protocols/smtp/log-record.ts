/**
 * The records of the mail log (mail-log.ts), as bytes. Pure functions.
 *
 * ```
 * offset  size  field
 *  0      4     magic "MSL1"
 *  4      1     type: 1 chunk, 2 commit, 3 delete, 4 clear
 *  5      1     0
 *  6      2     key length (the message id of a commit or delete; 0 otherwise)
 *  8      4     transaction: which message a chunk or commit belongs to
 * 12      4     data length
 * 16      4     CRC-32 of bytes 0-15, the key and the data
 * 20      key, then data
 * ```
 * All numbers big-endian. A message is its chunks in log order, then the data of its commit
 * (the last part); it exists once its commit is in the log. The checksum covers the whole record,
 * so a record torn by a crash mid-append (a short or garbled tail) is recognised and never read
 * as a message.
 * @module
 */
import zlib from 'node:zlib';

export const RECORD_MAGIC = 0x4d534c31;
export const HEADER_BYTES = 20;

export const RecordType = { chunk: 1, commit: 2, delete: 3, clear: 4 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Longest key (a message id is ~60 bytes). */
export const MAX_KEY_BYTES = 1024;
/** Largest data of one record: far above any chunk we write, so a garbled length is caught. */
export const MAX_RECORD_DATA = 64 * 1024 * 1024;

export interface RecordHeader {
  readonly type: RecordType;
  readonly keyLength: number;
  readonly txn: number;
  readonly dataLength: number;
  readonly crc: number;
}

/** zlib.crc32 (Node ≥ 20.15, native); a table version for older Nodes. */
const crc32: (data: Uint8Array, initial?: number) => number =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array, initial = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (const byte of data) crc = (table[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * The header of a record holding `key` and `data` (the data may be given in pieces; they are
 * written after the header and the key, in order).
 */
export function encodeHeader(type: RecordType, txn: number, key: Buffer, data: readonly Buffer[]): Buffer {
  const dataLength = data.reduce((n, d) => n + d.length, 0);
  const header = Buffer.allocUnsafe(HEADER_BYTES + key.length);
  header.writeUInt32BE(RECORD_MAGIC, 0);
  header.writeUInt8(type, 4);
  header.writeUInt8(0, 5);
  header.writeUInt16BE(key.length, 6);
  header.writeUInt32BE(txn >>> 0, 8);
  header.writeUInt32BE(dataLength, 12);
  key.copy(header, HEADER_BYTES);
  let crc = crc32(header.subarray(0, 16));
  crc = crc32(key, crc);
  for (const d of data) crc = crc32(d, crc);
  header.writeUInt32BE(crc, 16);
  return header;
}

/**
 * Reads a header at the start of `bytes`; undefined when it is not one (wrong magic, unknown
 * type, impossible lengths) or `bytes` is too short.
 */
export function decodeHeader(bytes: Buffer): RecordHeader | undefined {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32BE(0) !== RECORD_MAGIC) return undefined;
  const type = bytes.readUInt8(4);
  if (type < RecordType.chunk || type > RecordType.clear || bytes.readUInt8(5) !== 0) return undefined;
  const keyLength = bytes.readUInt16BE(6);
  const dataLength = bytes.readUInt32BE(12);
  if (keyLength > MAX_KEY_BYTES || dataLength > MAX_RECORD_DATA) return undefined;
  return { type: type as RecordType, keyLength, txn: bytes.readUInt32BE(8), dataLength, crc: bytes.readUInt32BE(16) };
}

/** True when `record` (header, key and data, exactly) carries the checksum its header states. */
export function checksumOk(record: Buffer, header: RecordHeader): boolean {
  if (record.length !== HEADER_BYTES + header.keyLength + header.dataLength) return false;
  let crc = crc32(record.subarray(0, 16));
  crc = crc32(record.subarray(HEADER_BYTES), crc);
  return crc === header.crc;
}

/** Bytes a record takes in the log. */
export function recordBytes(keyLength: number, dataLength: number): number {
  return HEADER_BYTES + keyLength + dataLength;
}
