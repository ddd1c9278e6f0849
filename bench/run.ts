/**
 * `npm run bench [http|ftp|smtp|dns|dns-flood|suite ...]`: runs the benchmarks (all by default) and prints
 * ratios against peers measured in the same run. Only 127.0.0.1 is ever targeted; every load is
 * bounded in count and time.
 * @module
 */
import { type BenchResult, formatTable } from './report.js';

type Bench = () => Promise<BenchResult[]>;

const BENCHES: Record<string, () => Promise<Bench>> = {};
// The order of a full run. The disk-heavy ones go last: after the SMTP bench removes its tens of
// thousands of files the kernel keeps writing back and discarding for a while, which slowed the
// CPU-bound HTTP bench that used to follow it by 5-10% (both servers alike, but noisily).
BENCHES['dns'] = async () => (await import('./dns.js')).bench;
BENCHES['dns-flood'] = async () => (await import('./dns-flood.js')).bench;
BENCHES['http'] = async () => (await import('./http.js')).bench;
BENCHES['suite'] = async () => (await import('./suite.js')).bench;
BENCHES['ftp'] = async () => (await import('./ftp.js')).bench;
BENCHES['smtp'] = async () => (await import('./smtp.js')).bench;

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const results: BenchResult[] = [];
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`bench: unknown benchmark '${name}' (have: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  console.error(`bench: ${name}...`);
  try {
    const bench = await load();
    results.push(...(await bench()));
  } catch (err) {
    console.error(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
console.log(formatTable(results));
