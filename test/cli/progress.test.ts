/**
 * cli/progress.ts: the one progress bar (http get, ftp get/put). It draws only on a TTY, never
 * under a line written through `lines`, and ends erased.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PROGRESS_INTERVAL_MS, ProgressBar, renderBar } from '../../cli/progress.js';

const MiB = 1024 * 1024;

function sink(isTTY: boolean) {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, cb) {
        writes.push(String(chunk));
        cb();
      },
    }),
    { isTTY },
  );
  return { stream, writes, text: () => writes.join('') };
}

describe('renderBar', () => {
  it('draws fractions and unknown totals', () => {
    expect(renderBar(50, 100, 10)).toBe('[#####-----]  50%  50 B / 100 B');
    expect(renderBar(200, 100, 4)).toBe('[####] 100%  200 B / 100 B');
    expect(renderBar(512 * 1024, 2 * MiB)).toBe(`[${'#'.repeat(8)}${'-'.repeat(22)}]  25%  512.0 KiB / 2.0 MiB`);
    expect(renderBar(2048, undefined)).toBe('2.0 KiB transferred');
  });
});

describe('ProgressBar', () => {
  it('redraws at most every interval, always at the end, and ends with the line erased', () => {
    let now = 0;
    const out = sink(true);
    const bar = new ProgressBar(out.stream, { now: () => now });
    bar.start(2 * MiB);
    bar.update(MiB);
    bar.update(MiB + 1); // too soon: not drawn
    now += PROGRESS_INTERVAL_MS;
    bar.update(MiB + 2);
    bar.update(2 * MiB); // the end is always drawn
    bar.done();
    expect(out.writes).toHaveLength(4);
    expect(out.writes[0]).toMatch(/^\r\[#{15}-{15}\] {2}50% {2}1\.0 MiB \/ 2\.0 MiB\u001b\[K$/);
    expect(out.writes[2]).toMatch(/100%/);
    expect(out.writes.at(-1)).toBe('\r\u001b[K');
  });

  it('erases the bar before a line written through lines, and draws it again at the next update', () => {
    let now = 0;
    const out = sink(true);
    const bar = new ProgressBar(out.stream, { now: () => now });
    bar.start(4 * MiB);
    bar.update(MiB);
    bar.lines.write('ftp client 127.0.0.1:21 RETR /big → 150 Opening\n');
    bar.lines.write('second line\n');
    now += PROGRESS_INTERVAL_MS;
    bar.update(2 * MiB);
    bar.done();
    bar.lines.write('after\n');
    expect(out.writes).toEqual([
      expect.stringMatching(/^\r\[#+-+\] {2}25%/),
      '\r\u001b[K',
      'ftp client 127.0.0.1:21 RETR /big → 150 Opening\n',
      'second line\n',
      expect.stringMatching(/^\r\[#+-+\] {2}50%/),
      '\r\u001b[K',
      'after\n',
    ]);
  });

  it('draws nothing off a TTY, or for small transfers; lines pass through unchanged', () => {
    const off = sink(false);
    const bar = new ProgressBar(off.stream);
    bar.start(10 * MiB);
    bar.update(5 * MiB);
    bar.lines.write('a line\n');
    bar.done();
    expect(off.writes).toEqual(['a line\n']);
    const small = sink(true);
    const smallBar = new ProgressBar(small.stream);
    smallBar.start(100);
    smallBar.update(10);
    smallBar.update(100);
    smallBar.done();
    expect(small.writes).toEqual([]);
  });
});
