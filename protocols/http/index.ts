/**
 * Public API of minisuite/http.
 * @module
 */
export { type AppOptions, createApp } from './app.js';
export {
  HttpClientError,
  type HttpClientResponse,
  type HttpRequestOptions,
  httpRequest,
  parseHeaderArg,
} from './client.js';
export * from './limits.js';
export { HTTP_DEFAULTS } from './options.js';
export { HttpError } from './replies.js';
export { RECORDED_BODY_BYTES, RECORDED_REQUESTS, type RecordedRequest, type RequestFilter } from './request-log.js';
export { ANY, type Params, type RouteHandler, Router } from './router.js';
export { HttpServer, type HttpServerOptions, type RequestContext, type RequestHandler } from './server.js';
export { HttpService, type HttpServiceOptions, type RequestQuery, type StubHandle } from './service.js';
export { StubError, type StubInput, type StubSpec } from './stub-schema.js';
export { MAX_STUBS, type StubView } from './stubs.js';
