/**
 * TSIG (RFC 8945): checking a signed request and signing its answer with a shared key,
 * HMAC-SHA256 and friends (§6). The MAC covers the message as sent without its TSIG record
 * (ARCOUNT one less, the original ID) followed by the TSIG variables (§4.3.3); an answer's MAC
 * also covers the request's MAC first (§4.3.1). Time is checked against the fudge (§5.2.3).
 * @module
 */
import crypto from 'node:crypto';
import { nameToWire } from './names.js';
import { CLASS_ANY, T } from './records.js';
import { readName, type WireRecord } from './wire-records.js';

/** TSIG error codes (RFC 8945 §3, in the TSIG record's Error field). */
export const TSIG_ERROR = { BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;
/** Seconds of clock difference accepted when the request does not say (RFC 8945 §10 recommends 300). */
export const TSIG_FUDGE = 300;

/** Algorithm names (RFC 8945 §6) and their Node digests. */
const ALGORITHMS: Record<string, string> = {
  'hmac-md5.sig-alg.reg.int': 'md5',
  'hmac-sha1': 'sha1',
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

export interface TsigKey {
  /** The key's name, a name key ("update-key"). */
  readonly name: string;
  /** "hmac-sha256" and the others of RFC 8945 §6. */
  readonly algorithm: string;
  readonly secret: Buffer;
}

/** Parses `NAME:ALG:SECRET` (secret in base64, as `tsig-keygen` and `nsupdate -y` write it). */
export function parseTsigKey(text: string): TsigKey {
  const parts = text.split(':');
  if (parts.length !== 3) throw new Error(`'${text.replace(/:[^:]*$/, ':****')}' is not NAME:ALGORITHM:SECRET`);
  const [name, alg, secret] = parts as [string, string, string];
  const algorithm = alg.toLowerCase().replace(/\.$/, '');
  if (!ALGORITHMS[algorithm])
    throw new Error(`unknown TSIG algorithm '${alg}' (use ${Object.keys(ALGORITHMS).join(', ')})`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error('the TSIG secret must be base64');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`TSIG key name '${name}' must be a domain name`);
  return { name: name.toLowerCase().replace(/\.$/, ''), algorithm, secret: Buffer.from(secret, 'base64') };
}

/** The TSIG record of a request, read. */
export interface TsigRecord {
  readonly keyName: string;
  readonly algorithm: string;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Buffer;
  readonly originalId: number;
  readonly error: number;
  readonly other: Buffer;
  /** Where the TSIG record starts in the message. */
  readonly start: number;
}

export function readTsig(buf: Buffer, r: WireRecord): TsigRecord {
  const alg = readName(buf, r.rdataAt);
  let at = alg.end;
  const end = r.rdataAt + r.rdlength;
  if (at + 10 > end) throw new Error('TSIG data too short');
  const timeSigned = buf.readUInt16BE(at) * 2 ** 32 + buf.readUInt32BE(at + 2);
  const fudge = buf.readUInt16BE(at + 6);
  const macSize = buf.readUInt16BE(at + 8);
  at += 10;
  if (at + macSize + 6 > end) throw new Error('TSIG MAC runs past the data');
  const mac = buf.subarray(at, at + macSize);
  at += macSize;
  const originalId = buf.readUInt16BE(at);
  const error = buf.readUInt16BE(at + 2);
  const otherLength = buf.readUInt16BE(at + 4);
  if (at + 6 + otherLength !== end) throw new Error('TSIG other data has the wrong length');
  return {
    keyName: r.name,
    algorithm: alg.name,
    timeSigned,
    fudge,
    mac,
    originalId,
    error,
    other: buf.subarray(at + 6, end),
    start: r.start,
  };
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function time48(seconds: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(seconds / 2 ** 32));
  b.writeUInt32BE(seconds % 2 ** 32, 2);
  return b;
}

/** RFC 8945 §4.3.3: the TSIG variables the MAC covers. */
function variables(
  keyName: string,
  algorithm: string,
  time: number,
  fudge: number,
  error: number,
  other: Buffer,
): Buffer {
  return Buffer.concat([
    nameToWire(keyName),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    nameToWire(algorithm),
    time48(time),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ]);
}

function hmac(key: TsigKey, ...parts: Buffer[]): Buffer {
  const h = crypto.createHmac(ALGORITHMS[key.algorithm] as string, key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The request as it was before it was signed: no TSIG, ARCOUNT one less, the original ID. */
function unsigned(buf: Buffer, tsig: TsigRecord): Buffer {
  const out = Buffer.from(buf.subarray(0, tsig.start));
  out.writeUInt16BE(tsig.originalId, 0);
  out.writeUInt16BE(buf.readUInt16BE(10) - 1, 10);
  return out;
}

export type TsigCheck =
  | { readonly ok: true; readonly key: TsigKey; readonly tsig: TsigRecord }
  | {
      readonly ok: false;
      readonly error: number;
      readonly reason: string;
      readonly tsig: TsigRecord;
      readonly key?: TsigKey;
    };

/** Checks a request's TSIG against `keys` (RFC 8945 §5.2): key, then MAC, then time. */
export function verifyRequest(
  buf: Buffer,
  tsig: TsigRecord,
  keys: readonly TsigKey[],
  now = Date.now() / 1000,
): TsigCheck {
  const key = keys.find((k) => k.name === tsig.keyName && k.algorithm === tsig.algorithm);
  if (!key)
    return { ok: false, error: TSIG_ERROR.BADKEY, reason: `unknown key ${tsig.keyName} (${tsig.algorithm})`, tsig };
  const expected = hmac(
    key,
    unsigned(buf, tsig),
    variables(tsig.keyName, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other),
  );
  // §5.2.2: a MAC shorter than half the digest (or 10 bytes) is not accepted; compare in constant time.
  const minimum = Math.max(10, expected.length / 2);
  if (
    tsig.mac.length < minimum ||
    tsig.mac.length > expected.length ||
    !crypto.timingSafeEqual(tsig.mac, expected.subarray(0, tsig.mac.length))
  )
    return { ok: false, error: TSIG_ERROR.BADSIG, reason: `bad signature with key ${key.name}`, tsig };
  if (Math.abs(now - tsig.timeSigned) > tsig.fudge)
    return {
      ok: false,
      error: TSIG_ERROR.BADTIME,
      reason: `signed at ${tsig.timeSigned}, now ${Math.floor(now)}`,
      tsig,
      key,
    };
  return { ok: true, key, tsig };
}

/**
 * The TSIG record for an answer (already encoded, without TSIG): signed with `key` over the
 * request's MAC and the answer (§4.3.1), or unsigned with the error when the key or MAC was
 * bad (§5.3.2). Returns the answer with the record appended and ARCOUNT raised.
 */
export function signAnswer(
  answer: Buffer,
  request: TsigRecord,
  key: TsigKey | undefined,
  error = 0,
  now = Math.floor(Date.now() / 1000),
): Buffer {
  // §5.2.3: with BADTIME, the other data is our time, so the client can see the skew.
  const other = error === TSIG_ERROR.BADTIME ? time48(now) : Buffer.alloc(0);
  const time = error === TSIG_ERROR.BADTIME ? request.timeSigned : now;
  let mac: Buffer = Buffer.alloc(0);
  if (key && error !== TSIG_ERROR.BADSIG && error !== TSIG_ERROR.BADKEY)
    mac = hmac(
      key,
      u16(request.mac.length),
      request.mac,
      answer,
      variables(request.keyName, request.algorithm, time, request.fudge, error, other),
    );
  return appendTsig(answer, request, time, mac, error, other);
}

/**
 * RFC 8945 §5.3.1: a later message of a multi-message answer (a zone transfer) is signed over
 * the previous message's MAC, the message, and the timers only. Returns the signed message and its MAC.
 */
export function signContinuation(
  answer: Buffer,
  previousMac: Buffer,
  request: TsigRecord,
  key: TsigKey,
  now = Math.floor(Date.now() / 1000),
): { message: Buffer; mac: Buffer } {
  const mac = hmac(key, u16(previousMac.length), previousMac, answer, time48(now), u16(request.fudge));
  return { message: appendTsig(answer, request, now, mac, 0, Buffer.alloc(0)), mac };
}

function appendTsig(
  answer: Buffer,
  request: TsigRecord,
  time: number,
  mac: Buffer,
  error: number,
  other: Buffer,
): Buffer {
  const rdata = Buffer.concat([
    nameToWire(request.algorithm),
    time48(time),
    u16(request.fudge),
    u16(mac.length),
    mac,
    u16(answer.readUInt16BE(0)),
    u16(error),
    u16(other.length),
    other,
  ]);
  const record = Buffer.concat([
    nameToWire(request.keyName),
    u16(T.TSIG),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    u16(rdata.length),
    rdata,
  ]);
  const out = Buffer.concat([answer, record]);
  out.writeUInt16BE(answer.readUInt16BE(10) + 1, 10);
  return out;
}

/** The MAC of a signed message (for chaining). */
export function macOf(request: TsigRecord, key: TsigKey, answer: Buffer, now: number): Buffer {
  return hmac(
    key,
    u16(request.mac.length),
    request.mac,
    answer,
    variables(request.keyName, request.algorithm, now, request.fudge, 0, Buffer.alloc(0)),
  );
}

/** The first message of a signed answer, and its MAC for the messages that follow. */
export function signFirst(
  answer: Buffer,
  request: TsigRecord,
  key: TsigKey,
  now = Math.floor(Date.now() / 1000),
): { message: Buffer; mac: Buffer } {
  const mac = macOf(request, key, answer, now);
  return { message: appendTsig(answer, request, now, mac, 0, Buffer.alloc(0)), mac };
}
