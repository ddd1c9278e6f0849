/**
 * The console's HTTP calls. State-changing requests send JSON with `X-Minisuite: 1`, the header
 * the console routes' CSRF check asks for (a cross-site form cannot set it).
 * @module
 */

async function errorOf(res) {
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}`;
}

/** GET as JSON; throws Error(message of the reply) on a non-2xx. */
export async function getJson(url, headers = {}) {
  const res = await fetch(url, { headers: { Accept: 'application/json', ...headers } });
  if (!res.ok) throw new Error(await errorOf(res));
  return res.json();
}

/** GET as text. */
export async function getText(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(await errorOf(res));
  return res.text();
}

/** POST/DELETE/PUT with an optional JSON body; resolves with the JSON reply (or undefined for 204). */
export async function send(method, url, body) {
  const headers = { 'X-Minisuite': '1', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(await errorOf(res));
  return res.status === 204 ? undefined : res.json();
}

/** POST a text body (`Content-Type: text/plain`); resolves with the JSON reply. */
export async function sendText(url, text) {
  const headers = { 'X-Minisuite': '1', Accept: 'application/json', 'Content-Type': 'text/plain; charset=utf-8' };
  const res = await fetch(url, { method: 'POST', headers, body: text });
  if (!res.ok) throw new Error(await errorOf(res));
  return res.json();
}

let featureList;

/** The optional APIs this run mounts (`GET /api/console`): "faults", "requests". Asked once. */
export function features() {
  featureList ??= getJson('/api/console')
    .then((body) => (Array.isArray(body?.features) ? body.features : []))
    .catch(() => []);
  return featureList;
}

/** Percent-encodes each segment of a path ("a b/c" → "a%20b/c"). */
export function encodePath(path) {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
