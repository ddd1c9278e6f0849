/**
 * Fuzzing the zone-file parser with fast-check (issue #17): random text and lines assembled from
 * zone-file pieces (names, TTLs, classes, types, rdata, parentheses, quotes, comments, directives).
 * Either a zone comes out, or a ZoneFileError naming a line of the text — never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZoneFileError, zoneFromText } from '../../protocols/dns/zone-file.js';

const HEAD = '$ORIGIN example.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 120\n';

const token = fc.oneof(
  fc.constantFrom('@', 'www', 'ns.example.test.', '*.wild', '\\.', '\\065b', '..', 'x'.repeat(70)),
  fc.constantFrom('300', '1h', '1w2d', '4294967296', '-1', '0'),
  fc.constantFrom('IN', 'CH', 'CLASS1', 'TYPE65280', '\\# 0', '\\# 2 abcd'),
  fc.constantFrom(
    'A',
    'AAAA',
    'MX',
    'TXT',
    'SOA',
    'NS',
    'CNAME',
    'SRV',
    'CAA',
    'PTR',
    'DNAME',
    'DS',
    'TLSA',
    'SVCB',
    'HTTPS',
  ),
  fc.constantFrom('192.0.2.1', '999.1.1.1', '2001:db8::1', '::', '10', '65536', 'issue', '"ca.test"'),
  fc.constantFrom('(', ')', ';', '; comment', '"', '"unclosed', '"a\\"b"', '\\', '\t'),
  fc.constantFrom('$ORIGIN', '$TTL', '$INCLUDE', '$GENERATE', 'sub.example.test.', 'relative'),
  fc.string({ maxLength: 12 }),
);

const line = fc.array(token, { maxLength: 8 }).map((words) => words.join(' '));
const zoneText = fc.array(line, { maxLength: 12 }).map((lines) => lines.join('\n'));

function parses(text: string): void {
  try {
    zoneFromText(text, { file: 'fuzz.zone' });
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(ZoneFileError);
    const lines = text.split('\n').length;
    const at = (err as ZoneFileError).line;
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThanOrEqual(lines + 1);
  }
}

describe('fuzz: zone file parser', () => {
  it('random text: a zone or a ZoneFileError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), parses), { numRuns: 400 });
  });

  it('zone-file-like lines after a valid head: a zone or a ZoneFileError', () => {
    fc.assert(
      fc.property(zoneText, (text) => parses(HEAD + text)),
      { numRuns: 500 },
    );
  });
});
