/**
 * A local CA for tests of one server alone: made in a fresh temp folder, with a leaf for
 * localhost, 127.0.0.1 and ::1, so every client in a test verifies the certificate against the CA
 * (issue #18) instead of skipping verification.
 * @module
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { TlsMaterial } from '../../shared/tls.js';
import { localCaMaterial } from '../../shared/tls-ca.js';

/** Names the test leaf is valid for. */
export const TEST_CA_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export interface TestCa {
  /** Key and leaf certificate for the server. */
  readonly material: TlsMaterial;
  /** PEM certificate of the CA (for `ca:` options). */
  readonly caPem: string;
  /** File with the CA certificate (for `--cacert`, `cafile=`, `ssl:ca-file`). */
  readonly caFile: string;
}

let shared: Promise<TestCa> | undefined;
let folder: string | undefined;

// Test files run isolated, so this module (and its CA) is one per test file; its folder goes
// after the file's tests.
afterAll(async () => {
  if (folder) await fs.rm(folder, { recursive: true, force: true });
});

/** One CA and leaf shared by the tests of a test file, in a fresh temp folder removed after them. */
export function testCa(): Promise<TestCa> {
  shared ??= makeTestCa();
  return shared;
}

async function makeTestCa(): Promise<TestCa> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-test-ca-'));
  folder = dir;
  const issued = await localCaMaterial(path.join(dir, 'tls'), TEST_CA_NAMES);
  return { material: { key: issued.key, cert: issued.cert }, caPem: issued.ca, caFile: issued.caFile };
}
