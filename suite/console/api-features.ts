/**
 * `GET /api/console`: which optional APIs this run mounts (the fault engine's `/api/faults`, the
 * test kit's `/api/requests`), so the page offers their panels without probing for them (a probe
 * answered 404 is an error in the browser's console).
 * @module
 */
import { sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';

/** Optional APIs the page can use, by feature name. */
export const OPTIONAL_APIS: Readonly<Record<string, string>> = {
  faults: '/api/faults',
  requests: '/api/requests',
};

export function registerFeaturesRoute(router: Router): void {
  router.on('GET', '/api/console', (ctx) => {
    // Asked per request: routes mounted after the console's are counted too.
    const features = Object.entries(OPTIONAL_APIS)
      .filter(([, path]) => router.has('GET', path))
      .map(([name]) => name);
    sendJson(ctx.res, 200, { features });
  });
}
