/**
 * The HTTP server's own routes on one {@link Router}: the files of a folder under `/files/` and
 * the httpbin-style test endpoints. Whoever runs the server may mount more routes on the same
 * router (the suite mounts its console). In front of the router: the request log and the stubs.
 * @module
 */
import { FileRoutes } from './files.js';
import { type HttpbinOptions, registerHttpbinRoutes } from './httpbin.js';
import { originGuard } from './origin-guard.js';
import { recordingHandler } from './recording-handler.js';
import type { RequestHandler } from './request-context.js';
import { RequestLog, type RequestLogOptions } from './request-log.js';
import { Router } from './router.js';
import { StubStore } from './stubs.js';

export interface AppOptions extends HttpbinOptions {
  /** Folder served under /files/ (created on first use). Required. */
  readonly filesRoot: string;
  /** Requests kept for verification, and the body bytes kept of each. */
  readonly recordedRequests?: RequestLogOptions;
  /** Stubs set at start (validated). */
  readonly stubs?: readonly unknown[];
  /** Host names the server answers to on guarded paths besides the built-in ones (origin-guard.ts). */
  readonly allowedHosts?: readonly string[];
}

export interface App {
  readonly router: Router;
  readonly files: FileRoutes;
  readonly stubs: StubStore;
  readonly requests: RequestLog;
  /** The server's handler: the origin guard, then records the request, lets a stub answer, else the router. */
  readonly handle: RequestHandler;
}

export function createApp(options: AppOptions): App {
  const router = new Router();
  const files = new FileRoutes(options.filesRoot);
  files.register(router);
  registerHttpbinRoutes(router, options);
  const stubs = new StubStore({ filesRoot: options.filesRoot });
  for (const [i, stub] of (options.stubs ?? []).entries()) stubs.add(stub, `http.stubs[${i}]`);
  const requests = new RequestLog(options.recordedRequests);
  const handle = originGuard(
    recordingHandler(requests, stubs, router.handle),
    options.allowedHosts ? { allowedHosts: options.allowedHosts } : {},
  );
  return { router, files, stubs, requests, handle };
}
