/**
 * Classic BPF (the `struct sock_filter` programs of SO_ATTACH_FILTER, linux/filter.h) as bytes:
 * a few instructions and a two-pass assembler that resolves forward jumps to labels. It knows no
 * protocol; a protocol writes its own program with it (protocols/dns/udp-bpf.ts).
 * @module
 */
import os from 'node:os';

/** Opcodes (linux/bpf_common.h), only those a header check needs. */
const BPF_LD = 0x00;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_W = 0x00;
const BPF_H = 0x08;
const BPF_B = 0x10;
const BPF_ABS = 0x20;
const BPF_LEN = 0x80;
const BPF_JGT = 0x20;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;
const BPF_K = 0x00;

/** The kernel's limit on a classic program (BPF_MAXINSNS). */
export const BPF_MAX_INSTRUCTIONS = 4096;
/** Bytes of one `struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k. */
export const BPF_INSTRUCTION_BYTES = 8;
/** A return value that keeps the whole packet (the kernel trims a packet to what the filter returns). */
export const BPF_ACCEPT = 0xffff_ffff;

/** One instruction; `onTrue`/`onFalse` of a jump name a label further on (or undefined: the next instruction). */
export type BpfInstruction =
  | { readonly op: 'ld'; readonly size: 'b' | 'h' | 'w'; readonly offset: number }
  | { readonly op: 'ldlen' }
  | {
      readonly op: 'jgt' | 'jge' | 'jset';
      readonly k: number;
      readonly onTrue?: string | undefined;
      readonly onFalse?: string | undefined;
    }
  | { readonly op: 'ret'; readonly k: number }
  | { readonly op: 'label'; readonly name: string };

const SIZES = { b: BPF_B, h: BPF_H, w: BPF_W } as const;
const JUMPS = { jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET } as const;

/**
 * The program as the kernel reads it: 8 bytes per instruction, in this machine's byte order (the
 * struct is passed as is). Throws on an unknown label, a backward or too-long jump, or a program
 * over {@link BPF_MAX_INSTRUCTIONS}: all programming errors, caught by the first test.
 */
export function assembleBpf(program: readonly BpfInstruction[]): Uint8Array {
  const at = new Map<string, number>();
  let count = 0;
  for (const ins of program) {
    if (ins.op === 'label') at.set(ins.name, count);
    else count++;
  }
  if (count === 0 || count > BPF_MAX_INSTRUCTIONS) throw new RangeError(`bpf: ${count} instructions`);
  const out = new Uint8Array(count * BPF_INSTRUCTION_BYTES);
  const view = new DataView(out.buffer);
  const little = os.endianness() === 'LE';
  let index = 0;
  const emit = (code: number, jt: number, jf: number, k: number) => {
    const base = index * BPF_INSTRUCTION_BYTES;
    view.setUint16(base, code, little);
    view.setUint8(base + 2, jt);
    view.setUint8(base + 3, jf);
    view.setUint32(base + 4, k >>> 0, little);
    index++;
  };
  // A jump's offsets count instructions after the next one, forward only, at most 255.
  const offset = (label: string | undefined): number => {
    if (label === undefined) return 0;
    const target = at.get(label);
    if (target === undefined) throw new RangeError(`bpf: no label ${label}`);
    const skip = target - index - 1;
    if (skip < 0 || skip > 255) throw new RangeError(`bpf: jump to ${label} out of range`);
    return skip;
  };
  for (const ins of program) {
    switch (ins.op) {
      case 'label':
        break;
      case 'ld':
        emit(BPF_LD | SIZES[ins.size] | BPF_ABS, 0, 0, ins.offset);
        break;
      case 'ldlen':
        emit(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
        break;
      case 'ret':
        emit(BPF_RET | BPF_K, 0, 0, ins.k);
        break;
      default:
        emit(BPF_JMP | JUMPS[ins.op] | BPF_K, offset(ins.onTrue), offset(ins.onFalse), ins.k);
    }
  }
  return out;
}
