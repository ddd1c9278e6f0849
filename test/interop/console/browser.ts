/**
 * The real browser for the console tests: Debian's Chromium driven by playwright-core (no browser
 * download), headless, a fresh profile per run, every page's errors and dialogs collected.
 * @module
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Chromium flags for a quiet, offline-friendly run in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the console page (not of the mail preview frame). */
  readonly errors: string[];
  /** Messages of alert/confirm/prompt dialogs that opened (confirm is accepted). */
  readonly dialogs: string[];
  /** The folder for artifacts (screenshots): kept after the run. */
  readonly artifacts: string;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
}

export interface LaunchOptions {
  /**
   * HOME for the browser process. Chromium on Linux takes the certificates a user trusts from the
   * NSS database in `$HOME/.pki/nssdb` (see {@link trustingHome}); a fresh empty HOME trusts none.
   * Default: the test's own environment.
   */
  readonly home?: string;
  /** More Chromium flags (after {@link CHROMIUM_ARGS}). */
  readonly args?: readonly string[];
}

export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const artifacts = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-console-test-'));
  const profile = path.join(artifacts, 'profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    ...(options.home !== undefined ? { env: { ...process.env, HOME: options.home } } : {}),
    acceptDownloads: true,
    viewport: { width: 1366, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // The preview frame reports what its CSP blocked: that is the policy working, not a page error.
    if (msg.type() === 'error' && !/\/preview\b/.test(msg.location().url))
      errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
  });
  return {
    context,
    page,
    errors,
    dialogs,
    artifacts,
    async close() {
      await context.close();
      // The profile goes; the screenshots stay as the run's artifacts.
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh HOME whose NSS database (`.pki/nssdb`, what Chromium on Linux reads) trusts `caFile` as a
 * certificate authority for web sites, made with NSS's own `certutil` (Debian's libnss3-tools);
 * with no `caFile`, an empty HOME that trusts nothing beyond the built-in roots.
 */
export async function trustingHome(caFile?: string): Promise<string> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-browser-home-'));
  if (caFile === undefined) return home;
  const db = path.join(home, '.pki', 'nssdb');
  await fs.mkdir(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'minisuite test CA', '-i', caFile]);
  return home;
}
