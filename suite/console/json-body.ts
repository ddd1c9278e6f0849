/**
 * The console API's request bodies: JSON objects, bounded.
 * @module
 */
import { HttpError, readBody } from '../../protocols/http/replies.js';
import type { RequestContext } from '../../protocols/http/request-context.js';

/** Largest console request body (a DNS record, a fault rule). */
export const MAX_CONSOLE_BODY_BYTES = 64 * 1024;

/** Reads the body as a JSON object; 400 naming the problem otherwise. */
export async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req, Math.min(ctx.maxBodyBytes, MAX_CONSOLE_BODY_BYTES));
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body: expected JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'body: expected a JSON object');
  return value as Record<string, unknown>;
}
