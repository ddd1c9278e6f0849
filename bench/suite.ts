/**
 * Test-kit speed: starting and closing a four-protocol suite must be cheap enough to do per test
 * (issue 7: under 50 ms). Measured in-process, the way a test suite uses it.
 * @module
 */
import { startSuite } from '../suite/start-suite.js';
import type { BenchResult } from './report.js';
import { median } from './support.js';

/** Target of the issue: start + close of all four protocols. */
const TARGET_MS = 50;
const ROUNDS = 30;
export async function bench(): Promise<BenchResult[]> {
  // Warm-up: the first start loads modules and JIT-compiles the paths.
  for (let i = 0; i < 3; i++) await (await startSuite()).close();
  const startMs: number[] = [];
  const totalMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const suite = await startSuite();
    const t1 = performance.now();
    await suite.close();
    const t2 = performance.now();
    startMs.push(t1 - t0);
    totalMs.push(t2 - t0);
  }
  const total = median(totalMs);
  return [
    {
      name: 'startSuite() + close(), 4 protocols',
      ours: total,
      peer: TARGET_MS,
      peerName: 'target',
      unit: 'ms',
      higherIsBetter: false,
      target: 1,
      notes: `median of ${ROUNDS}; start ${median(startMs).toFixed(1)} ms, worst ${Math.max(...totalMs).toFixed(1)} ms`,
    },
  ];
}
