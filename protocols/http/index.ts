/**
 * Public API of minisuite/http.
 * @module
 */
export { HttpService } from './service.js';
