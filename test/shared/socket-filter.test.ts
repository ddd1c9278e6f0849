import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assembleBpf, BPF_ACCEPT, type BpfInstruction } from '../../shared/bpf.js';
import { socketFilterAvailable, udpSocketFd } from '../../shared/socket-filter.js';
import { UdpServer } from '../../shared/udp-server.js';

/** Drops datagrams with a UDP payload under 4 bytes (offset 0 is the UDP header, 8 bytes). */
const AT_LEAST_4: BpfInstruction[] = [
  { op: 'ldlen' },
  { op: 'jge', k: 8 + 4, onFalse: 'drop' },
  { op: 'ret', k: BPF_ACCEPT },
  { op: 'label', name: 'drop' },
  { op: 'ret', k: 0 },
];

/** Sends each payload in order from one socket, then resolves with the first reply. */
async function sendThenAwaitReply(port: number, payloads: readonly Buffer[]): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message');
    for (const p of payloads) await new Promise<void>((r) => socket.send(p, port, '127.0.0.1', () => r()));
    const [message] = (await reply) as [Buffer];
    return message.toString();
  } finally {
    socket.close();
  }
}

/** The same rule as AT_LEAST_4 in JavaScript, noting the length of every datagram it is asked about. */
function atLeast4(seen: number[]): (data: Buffer) => boolean {
  return (data) => {
    seen.push(data.length);
    return data.length >= 4;
  };
}

afterEach(() => vi.restoreAllMocks());

describe('assembleBpf', () => {
  it('encodes struct sock_filter in host byte order and resolves forward jumps', () => {
    const bytes = assembleBpf(AT_LEAST_4);
    expect(bytes.length).toBe(4 * 8);
    const view = new DataView(bytes.buffer);
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    // ld len: BPF_LD|BPF_W|BPF_LEN
    expect(view.getUint16(0, le)).toBe(0x80);
    // jge #12: BPF_JMP|BPF_JGE|BPF_K, jt 0 (next), jf 1 (skips the accept), k 12
    expect([view.getUint16(8, le), bytes[10], bytes[11], view.getUint32(12, le)]).toEqual([0x35, 0, 1, 12]);
    expect([view.getUint16(16, le), view.getUint32(20, le)]).toEqual([0x06, 0xffff_ffff]);
    expect([view.getUint16(24, le), view.getUint32(28, le)]).toEqual([0x06, 0]);
  });

  it('refuses an unknown label and a backward jump', () => {
    expect(() =>
      assembleBpf([
        { op: 'jgt', k: 1, onTrue: 'nowhere' },
        { op: 'ret', k: 0 },
      ]),
    ).toThrow(/no label/);
    expect(() =>
      assembleBpf([
        { op: 'label', name: 'back' },
        { op: 'ldlen' },
        { op: 'jgt', k: 1, onTrue: 'back' },
        { op: 'ret', k: 0 },
      ]),
    ).toThrow(/out of range/);
  });
});

describe('udpSocketFd', () => {
  it('finds the fd of a bound socket without a deprecation warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const socket = dgram.createSocket('udp4');
    expect(udpSocketFd(socket)).toBeUndefined();
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const fd = udpSocketFd(socket);
    expect(Number.isInteger(fd) && (fd as number) > 2).toBe(true);
    socket.close();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('UdpServer kernelFilter', () => {
  it('is built: npm install compiles the optional addon on Linux', () => {
    expect(process.platform).toBe('linux');
    expect(socketFilterAvailable()).toBe(true);
  });

  it('has the kernel drop what the program refuses, so accept never sees it', async () => {
    const seen: number[] = [];
    const server = new UdpServer(
      {
        name: 'udp-test',
        accept: atLeast4(seen),
        kernelFilter: assembleBpf(AT_LEAST_4),
      },
      (d, reply) => void reply(Buffer.from(`got ${d.data.length}`)),
    );
    const port = await server.listen();
    expect(server.kernelFiltered).toBe(true);
    const short = [0, 1, 2, 3].map((n) => Buffer.alloc(n, 0x41));
    expect(await sendThenAwaitReply(port, [...short, Buffer.from('long enough')])).toBe('got 11');
    // Datagrams from one socket arrive in order: the short ones were before it, and never reached JS.
    expect(seen).toEqual([11]);
    expect(server.dropped).toBe(0);
    await server.close();
  });

  it('falls back to accept when the kernel refuses the program', async () => {
    const seen: number[] = [];
    const server = new UdpServer(
      {
        name: 'udp-test',
        accept: atLeast4(seen),
        // No return at the end: the kernel rejects it (EINVAL).
        kernelFilter: assembleBpf([{ op: 'ldlen' }]),
      },
      (d, reply) => void reply(Buffer.from(`got ${d.data.length}`)),
    );
    const port = await server.listen();
    expect(server.kernelFiltered).toBe(false);
    expect(await sendThenAwaitReply(port, [Buffer.from('ab'), Buffer.from('long enough')])).toBe('got 11');
    expect(seen).toEqual([2, 11]);
    expect(server.dropped).toBe(1);
    await server.close();
  });
});
