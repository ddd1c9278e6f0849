/**
 * The HTTP server's own routes on one {@link Router}: the files of a folder under `/files/` and
 * the httpbin-style test endpoints. Whoever runs the server may mount more routes on the same
 * router (the suite mounts its console).
 * @module
 */
import { FileRoutes } from './files.js';
import { type HttpbinOptions, registerHttpbinRoutes } from './httpbin.js';
import { Router } from './router.js';

export interface AppOptions extends HttpbinOptions {
  /** Folder served under /files/ (created on first use). Required. */
  readonly filesRoot: string;
}

export interface App {
  readonly router: Router;
  readonly files: FileRoutes;
}

export function createApp(options: AppOptions): App {
  const router = new Router();
  const files = new FileRoutes(options.filesRoot);
  files.register(router);
  registerHttpbinRoutes(router, options);
  return { router, files };
}
