/**
 * The UDP flood filter of udp-filter.ts as a classic BPF program, which the kernel runs on every
 * datagram before Node reads it (shared/socket-filter.ts; issue #17). It is the same rule, byte
 * for byte, so the server answers exactly the same with or without the optional addon: a datagram
 * it keeps goes on to `plausibleQuery` and the responder (FORMERR, NOTIMP... as before); one it
 * drops would have been dropped unread by `plausibleQuery` too. A change to one is a change to
 * both: test/dns/udp-bpf.test.ts sends every boundary of the rule through the kernel.
 *
 * On a UDP socket (IPv4 or IPv6) the filter sees the datagram from its UDP header: offset 0 is the
 * 8-byte UDP header, the DNS header starts at 8, and the packet length counts the UDP header.
 * Loads are big-endian (network order), as `readUInt16BE`; a load past the end drops the packet.
 * @module
 */
import { assembleBpf, BPF_ACCEPT, type BpfInstruction } from '../../shared/bpf.js';
import { HEADER_LENGTH } from './query.js';
import { MAX_SECTION_RECORDS } from './udp-filter.js';

/** Bytes of the UDP header in front of the DNS message, as a socket filter sees it (RFC 768). */
export const UDP_HEADER_BYTES = 8;

const DNS = UDP_HEADER_BYTES;

const PROGRAM: readonly BpfInstruction[] = [
  // Shorter than a DNS header.
  { op: 'ldlen' },
  { op: 'jge', k: UDP_HEADER_BYTES + HEADER_LENGTH, onFalse: 'drop' },
  // QR set: a response.
  { op: 'ld', size: 'b', offset: DNS + 2 },
  { op: 'jset', k: 0x80, onTrue: 'drop' },
  // Implausible QDCOUNT (a few questions get FORMERR, as from NSD), ANCOUNT, NSCOUNT, ARCOUNT.
  { op: 'ld', size: 'h', offset: DNS + 4 },
  { op: 'jgt', k: MAX_SECTION_RECORDS, onTrue: 'drop' },
  { op: 'ld', size: 'h', offset: DNS + 6 },
  { op: 'jgt', k: MAX_SECTION_RECORDS, onTrue: 'drop' },
  { op: 'ld', size: 'h', offset: DNS + 8 },
  { op: 'jgt', k: MAX_SECTION_RECORDS, onTrue: 'drop' },
  { op: 'ld', size: 'h', offset: DNS + 10 },
  { op: 'jgt', k: MAX_SECTION_RECORDS, onTrue: 'drop' },
  { op: 'ret', k: BPF_ACCEPT },
  { op: 'label', name: 'drop' },
  { op: 'ret', k: 0 },
];

/** The program's bytes (`struct sock_filter[]`, host byte order), for `UdpServerOptions.kernelFilter`. */
export const DNS_UDP_BPF: Uint8Array = assembleBpf(PROGRAM);
