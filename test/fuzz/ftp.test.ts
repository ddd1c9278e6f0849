/**
 * Fuzzing the FTP command line and path resolution with fast-check (issue #17): the command
 * parser never throws and yields a clean verb; virtual paths are always normalized and absolute;
 * the sandbox never resolves a path outside its root, even through a symlink that points out, and
 * refuses only with SandboxError; a live session gives every random command line exactly one
 * well-formed final reply and stays up.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../protocols/ftp/command-parser.js';
import { COMMANDS } from '../../protocols/ftp/commands.js';
import { Sandbox, SandboxError, virtualPath } from '../../protocols/ftp/sandbox.js';
import { PASS, startFtp, type TestFtp, USER } from '../ftp/helpers.js';
import { RawFtp } from '../ftp/raw-ftp.js';

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'a', 'sub', 'out', 'link', '...', '%2e%2e', '..\\..', 'é', ' '),
  fc.string({ maxLength: 6 }),
);
const pathArg = fc
  .tuple(fc.boolean(), fc.array(segment, { maxLength: 8 }))
  .map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);

describe('fuzz: FTP command line', () => {
  it('parseCommand never throws; the verb has no blanks and is upper-case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (line) => {
        const { verb, arg } = parseCommand(line);
        expect(verb).not.toMatch(/[ \t]/);
        expect(verb).toBe(verb.toUpperCase());
        expect(line.includes(arg)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('virtualPath is absolute and normalized, whatever the arguments', () => {
    fc.assert(
      fc.property(pathArg, pathArg, (cwd, arg) => {
        const v = virtualPath(virtualPath('/', cwd), arg);
        expect(v.startsWith('/')).toBe(true);
        expect(v.split('/').slice(1)).not.toContain('..');
        expect(v.split('/').slice(1)).not.toContain('.');
        if (v !== '/') expect(v).not.toMatch(/\/\/|\/$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz: FTP sandbox', () => {
  let dir: string;
  let sandbox: Sandbox;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-fuzz-sandbox-'));
    await fs.mkdir(path.join(dir, 'root', 'sub'), { recursive: true });
    await fs.mkdir(path.join(dir, 'out'));
    await fs.writeFile(path.join(dir, 'out', 'secret'), 'x');
    await fs.writeFile(path.join(dir, 'root', 'sub', 'a'), 'a');
    // Links that lead out of the root, and one that stays inside.
    await fs.symlink(path.join(dir, 'out'), path.join(dir, 'root', 'link'));
    await fs.symlink('../../out/secret', path.join(dir, 'root', 'sub', 'out'));
    await fs.symlink('a', path.join(dir, 'root', 'sub', 'inner'));
    sandbox = await Sandbox.open(path.join(dir, 'root'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const inside = (real: string) => real === sandbox.root || real.startsWith(`${sandbox.root}${path.sep}`);

  it('never resolves outside the root, and refuses only with SandboxError', async () => {
    await fc.assert(
      fc.asyncProperty(pathArg, pathArg, fc.boolean(), async (cwd, arg, create) => {
        const vcwd = virtualPath('/', cwd);
        try {
          const r = create ? await sandbox.creatable(vcwd, arg) : await sandbox.existing(vcwd, arg);
          expect(inside(r.real), `${vcwd} + ${arg} -> ${r.real}`).toBe(true);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(SandboxError);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('fuzz: FTP session', () => {
  let ftp: TestFtp;
  beforeAll(async () => {
    // Random PASS lines must not end the session (per-connection and per-address login limits off).
    ftp = await startFtp({
      maxBadCommands: 1_000_000,
      maxLoginFailures: 1_000_000,
      maxLoginFailuresPerAddress: 0,
      loginFailureDelayMs: 0,
      dataConnectTimeoutMs: 50,
    });
  });
  afterAll(() => ftp.close());

  // Any verb the server knows (and some it does not), with random arguments; no CR/LF (they would
  // make two commands) and no QUIT/REIN (they end the session on purpose).
  const verbs = Object.keys(COMMANDS).filter((v) => v !== 'QUIT' && v !== 'REIN');
  const commandLine = fc
    .tuple(
      fc.oneof(fc.constantFrom(...verbs), fc.string({ minLength: 1, maxLength: 5 })),
      fc.oneof(pathArg, fc.string({ maxLength: 40 }), fc.constant('')),
      fc.constantFrom(' ', '\t', '  '),
    )
    .map(([verb, arg, sep]) => (arg === '' ? verb : `${verb}${sep}${arg}`).replace(/[\r\n]/g, ''))
    .filter((line) => !/^\s*(QUIT|REIN)\b/i.test(line));

  it('one well-formed final reply per random command line, logged in and not', async () => {
    for (const login of [false, true]) {
      const c = await RawFtp.connect(ftp.port);
      if (login) await c.login(USER, PASS);
      await fc.assert(
        fc.asyncProperty(commandLine, async (line) => {
          let r = await c.cmd(line);
          // A transfer first says 150, then its final reply (or 425 without a data connection).
          if (r.startsWith('150') || r.startsWith('125')) r = await c.reply();
          expect(r, line).toMatch(/^[2-5]\d\d( |-[\s\S]*\r\n\d{3} )[^\r\n]*\r\n$/);
        }),
        { numRuns: 200 },
      );
      expect(await c.cmd('NOOP')).toMatch(/^200 /);
      c.close();
    }
  });
});
