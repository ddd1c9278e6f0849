/**
 * What every benchmark returns, and the table `npm run bench` prints. Benchmarks compare us with
 * a peer measured in the same run, so the ratio means something on any machine.
 * @module
 */

export interface BenchResult {
  /** What was measured: "UDP queries/s (A, query log on)". */
  readonly name: string;
  /** Our number and the peer's, in `unit`. */
  readonly ours: number;
  readonly peer: number;
  readonly peerName: string;
  readonly unit: string;
  /** Whether more is better (throughput) or less is better (latency, time). */
  readonly higherIsBetter: boolean;
  /** The target ratio (ours/peer when higher is better, peer/ours otherwise), if any. */
  readonly target?: number;
  /** Extra facts worth printing (p99 latency...). */
  readonly notes?: string;
}

/** ours/peer for throughput, peer/ours for latency: above 1 means we are better. */
export function ratioOf(r: BenchResult): number {
  if (r.peer === 0 || r.ours === 0) return 0;
  return r.higherIsBetter ? r.ours / r.peer : r.peer / r.ours;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

/** A plain-text table, one row per result. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => {
    const ratio = ratioOf(r);
    const verdict =
      r.target === undefined ? '' : ratio >= r.target ? `ok (target ${r.target}×)` : `BELOW target ${r.target}×`;
    return [
      r.name,
      `${fmt(r.ours)} ${r.unit}`,
      `${r.peerName}: ${fmt(r.peer)} ${r.unit}`,
      `${ratio.toFixed(2)}×`,
      verdict,
      r.notes ?? '',
    ];
  });
  const header = ['benchmark', 'minisuite', 'peer', 'ratio', 'verdict', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
