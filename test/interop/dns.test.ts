import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../../protocols/dns/server.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { ExchangeLog } from '../../shared/exchange.js';

const exec = promisify(execFile);

const ZONE = `$ORIGIN example.test.
$TTL 300
@        SOA ns hostmaster 1 3600 600 86400 120
@        NS  ns
@        MX  10 mail
ns       A   192.0.2.53
mail     A   192.0.2.25
www      A   192.0.2.80
alias    CNAME chain
chain    CNAME www
outside  CNAME www.elsewhere.test.
a.b      A   192.0.2.1
*.wild   A   192.0.2.99
child    NS  ns.child
ns.child A   192.0.2.54
${Array.from({ length: 8 }, (_, i) => `big TXT "${String(i).repeat(120)}"`).join('\n')}
`;

let server: DnsServer;
let port: number;
const log = new ExchangeLog();

beforeAll(async () => {
  const zones = [zoneFromText(ZONE, { file: 'interop.zone' })];
  server = new DnsServer({ zones: () => zones, port: 0, log });
  port = await server.listen();
});
afterAll(async () => {
  await server.close({ graceMs: 0 });
});

async function tool(cmd: 'dig' | 'kdig', ...args: string[]): Promise<string> {
  const limits = cmd === 'dig' ? ['+time=3', '+tries=1'] : ['+timeout=3', '+retry=0'];
  const { stdout } = await exec(cmd, [`@127.0.0.1`, '-p', String(port), ...limits, ...args]);
  return stdout;
}

/** The section of dig/kdig output, one record per line, whitespace collapsed. */
function section(output: string, title: string): string[] {
  const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|\\n;;|$)`).exec(output);
  if (!m) return [];
  return (m[1] as string)
    .split('\n')
    .map((l) =>
      l
        .replace(/^;+\s*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((l) => l !== '');
}

const flagsOf = (output: string) => /;; [Ff]lags: ([a-z ]*);/.exec(output)?.[1]?.trim().split(/\s+/) ?? [];
const statusOf = (output: string) => /status: ([A-Z]+)/.exec(output)?.[1];

describe.each(['dig', 'kdig'] as const)('%s against minisuite dns', (cmd) => {
  it('answers A authoritatively over UDP and over TCP, never offering recursion', async () => {
    for (const transport of [[], ['+tcp']]) {
      const out = await tool(cmd, 'www.example.test', 'A', ...transport);
      expect(statusOf(out)).toBe('NOERROR');
      expect(flagsOf(out)).toContain('aa');
      expect(flagsOf(out)).not.toContain('ra');
      expect(section(out, 'ANSWER')).toEqual(['www.example.test. 300 IN A 192.0.2.80']);
    }
  });

  it('NXDOMAIN and NODATA carry the SOA with the negative TTL', async () => {
    const nx = await tool(cmd, 'missing.example.test', 'A');
    expect(statusOf(nx)).toBe('NXDOMAIN');
    expect(section(nx, 'AUTHORITY')[0]).toMatch(/^example\.test\. 120 IN SOA ns\.example\.test\. /);
    const nodata = await tool(cmd, 'www.example.test', 'AAAA');
    expect(statusOf(nodata)).toBe('NOERROR');
    expect(section(nodata, 'ANSWER')).toEqual([]);
    expect(section(nodata, 'AUTHORITY')[0]).toMatch(/^example\.test\. 120 IN SOA/);
    const ent = await tool(cmd, 'b.example.test', 'A');
    expect(statusOf(ent)).toBe('NOERROR');
    expect(section(ent, 'AUTHORITY')[0]).toMatch(/SOA/);
  });

  it('follows CNAME chains in the zone and returns an outside target bare', async () => {
    const chain = await tool(cmd, 'alias.example.test', 'A');
    expect(section(chain, 'ANSWER')).toEqual([
      'alias.example.test. 300 IN CNAME chain.example.test.',
      'chain.example.test. 300 IN CNAME www.example.test.',
      'www.example.test. 300 IN A 192.0.2.80',
    ]);
    const outside = await tool(cmd, 'outside.example.test', 'A');
    expect(section(outside, 'ANSWER')).toEqual(['outside.example.test. 300 IN CNAME www.elsewhere.test.']);
  });

  it('synthesizes wildcards and keeps the question case', async () => {
    const out = await tool(cmd, 'AnY.Wild.example.test', 'A');
    // kdig lowercases the name before sending it; dig sends it as typed.
    const name = cmd === 'dig' ? 'AnY.Wild.example.test.' : 'any.wild.example.test.';
    expect(section(out, 'QUESTION')).toEqual([`${name} IN A`]);
    expect(section(out, 'ANSWER')).toEqual([`${name} 300 IN A 192.0.2.99`]);
  });

  it('refers below a zone cut with AA clear and glue', async () => {
    const out = await tool(cmd, 'host.child.example.test', 'A');
    expect(statusOf(out)).toBe('NOERROR');
    expect(flagsOf(out)).not.toContain('aa');
    expect(section(out, 'AUTHORITY')).toEqual(['child.example.test. 300 IN NS ns.child.example.test.']);
    expect(section(out, 'ADDITIONAL')).toEqual(['ns.child.example.test. 300 IN A 192.0.2.54']);
  });

  it('adds glue for NS (minimal responses: not for MX), and refuses names outside the zones', async () => {
    const ns = await tool(cmd, 'example.test', 'NS');
    expect(section(ns, 'ADDITIONAL')).toContain('ns.example.test. 300 IN A 192.0.2.53');
    expect(
      section(await tool(cmd, 'example.test', 'MX'), 'ADDITIONAL').filter((l) => !/OPT|EDNS|udp/i.test(l)),
    ).toEqual([]);
    expect(statusOf(await tool(cmd, 'www.elsewhere.test', 'A'))).toBe('REFUSED');
  });

  it('+noedns +ignore shows the truncated UDP answer (TC)', async () => {
    const out = await tool(cmd, 'big.example.test', 'TXT', '+noedns', '+ignore');
    expect(flagsOf(out)).toContain('tc');
  });

  it('+bufsize=512: the client retries over TCP and gets the whole answer', async () => {
    const out = await tool(cmd, 'big.example.test', 'TXT', '+bufsize=512');
    expect(section(out, 'ANSWER')).toHaveLength(8);
    expect(flagsOf(out)).not.toContain('tc');
  });

  it('+edns=1 gets BADVERS', async () => {
    const args = cmd === 'dig' ? ['+edns=1', '+noednsnegotiation'] : ['+edns=1'];
    expect(statusOf(await tool(cmd, 'www.example.test', 'A', ...args))).toBe('BADVERS');
  });
});

// kdig has no option to set the opcode or to send a header without a question: dig only.
describe('dig edge cases', () => {
  it('+opcode=2 gets NOTIMP', async () => {
    expect(statusOf(await tool('dig', 'www.example.test', 'A', '+opcode=2'))).toBe('NOTIMP');
  });

  it('+header-only +noedns (no question) gets FORMERR', async () => {
    expect(statusOf(await tool('dig', '+header-only', '+noedns'))).toBe('FORMERR');
  });

  it('every dig/kdig query above became a server exchange record', () => {
    const records = log.toArray();
    expect(records.length).toBeGreaterThan(20);
    expect(records.every((r) => r.protocol === 'dns' && r.side === 'server')).toBe(true);
    expect(records.some((r) => r.transport === 'tcp' && r.request === 'TXT big.example.test')).toBe(true);
  });
});
