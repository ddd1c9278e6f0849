/**
 * Fuzzing DNS request handling with fast-check (issue #17): random bytes and mutated valid
 * queries, over each transport, through the UDP filter and the responder as the server runs them.
 * Nothing throws; every reply is a well-formed response to the message it answers (dns-packet
 * decodes it, same ID, QR set, the question copied back); malformed queries get FORMERR, not silence.
 */
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../protocols/dns/answer-cache.js';
import { type DnsTransport, type Outcome, type ResponderOptions, respond } from '../../protocols/dns/responder.js';
import { dropReason } from '../../protocols/dns/udp-filter.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { TEST_ZONE } from '../dns/helpers.js';

const zones = [zoneFromText(TEST_ZONE, { file: 'test.zone' })];
const options: ResponderOptions = { maxUdpPayload: 1232, cache: new AnswerCache<Outcome>({ entries: 64 }) };
const NAMES = [
  'www.example.test',
  'example.test',
  'alias.example.test',
  'big.example.test',
  'nowhere.example.test',
  'x.other.test',
  '.',
];
const TYPES = ['A', 'AAAA', 'MX', 'TXT', 'SOA', 'NS', 'CNAME', 'SRV', 'ANY', 'AXFR', 'IXFR', 'CAA'] as const;

/** A valid query: a name, a type, maybe EDNS with DO. */
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom(...TYPES),
    edns: fc.boolean(),
    dnssec: fc.boolean(),
  })
  .map(({ id, name, type, edns, dnssec }) =>
    dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type: type as 'A', class: 'IN' }],
      ...(edns
        ? {
            additionals: [
              { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnssec ? dnsPacket.DNSSEC_OK : 0 },
            ] as unknown as dnsPacket.Answer[],
          }
        : {}),
    }),
  );

/** A valid query with bytes overwritten, cut short or extended. */
const mutatedQuery = fc
  .tuple(
    validQuery,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.uint8Array({ maxLength: 16 }),
  )
  .map(([query, flips, cut, tail]) => {
    const out = Buffer.from(query);
    for (const [at, value] of flips) out[at % out.length] = value;
    const cutAt = cut === undefined ? out.length : cut % (out.length + 1);
    return Buffer.concat([out.subarray(0, cutAt), Buffer.from(tail)]);
  });

const anyMessage = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  mutatedQuery,
  validQuery.map((q) => Buffer.from(q)),
);

/** The checks every reply to `input` must pass. */
function checkReply(input: Buffer, transport: DnsTransport): void {
  const outcome = respond(input, transport, zones, options, '127.0.0.1:5353');
  const qr = input.length >= 3 && ((input[2] as number) & 0x80) !== 0;
  if (!outcome.message) {
    // Silence only for what cannot be answered: no ID, or a response.
    expect(input.length < 2 || qr, outcome.response).toBe(true);
    return;
  }
  const messages = [outcome.message, ...(outcome.more ?? [])];
  for (const m of messages) {
    expect(m.length).toBeGreaterThanOrEqual(12);
    expect(m.readUInt16BE(0)).toBe(input.readUInt16BE(0));
    expect((m[2] as number) & 0x80).toBe(0x80);
    if (transport === 'udp') expect(m.length).toBeLessThanOrEqual(1232);
    expect(() => dnsPacket.decode(m)).not.toThrow();
  }
  const decoded = dnsPacket.decode(outcome.message) as dnsPacket.DecodedPacket & { rcode: string };
  if (outcome.rcode === 'BADVERS') {
    // An extended rcode (RFC 6891 §6.1.3): 16 = header 0 + the OPT's upper bits 1.
    const opt = decoded.additionals?.find((a) => a.type === 'OPT') as { extendedRcode?: number } | undefined;
    expect(decoded.rcode).toBe('NOERROR');
    expect(opt?.extendedRcode).toBe(1);
  } else expect(decoded.rcode).toBe(outcome.rcode);
  // A message that parses as a query keeps its question; one that does not is FORMERR (or an
  // opcode we do not implement: NOTIMP), never a made-up answer.
  // A NOTIFY (opcode 4, RFC 1996) is answered by the header alone, as NSD does: REFUSED for one of
  // our zones, NXDOMAIN for any other name.
  const notify = input.length >= 3 && (((input[2] as number) >> 3) & 0xf) === 4;
  if (outcome.question === undefined)
    expect(['FORMERR', 'NOTIMP', 'BADVERS', 'REFUSED', 'NOTAUTH', ...(notify ? ['NXDOMAIN'] : [])]).toContain(
      outcome.rcode,
    );
}

describe('fuzz: DNS request handling', () => {
  for (const transport of ['udp', 'tcp', 'tls'] as const)
    it(`never throws and always answers well-formed (${transport})`, () => {
      fc.assert(
        fc.property(anyMessage, (input) => {
          checkReply(input, transport);
        }),
        { numRuns: 400 },
      );
    });

  it('the UDP filter never throws and passes every valid query', () => {
    fc.assert(
      fc.property(anyMessage, (input) => {
        expect(() => dropReason(input)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(validQuery, (q) => {
        expect(dropReason(Buffer.from(q))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('answers a mutated query that passes the filter (FORMERR when it no longer parses)', () => {
    fc.assert(
      fc.property(mutatedQuery, (input) => {
        fc.pre(dropReason(input) === undefined && input.length >= 2);
        const outcome = respond(input, 'udp', zones, options);
        expect(outcome.message, outcome.response).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
