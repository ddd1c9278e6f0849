/**
 * The one live connection to `/api/events` (Server-Sent Events). EventSource reconnects by
 * itself and sends `Last-Event-ID`, so the server replays what was missed. The stream opens
 * before the history is fetched and events are held until it is in, so no record falls between
 * the two; ids dedupe the overlap.
 * @module
 */
import { getJson } from './api.js';

/** History fetched on load. */
export const HISTORY = 1000;

export class ExchangeStream {
  #listeners = [];
  #held = [];
  #ready = false;
  #seen = 0;
  #status;

  constructor(statusEl) {
    this.#status = statusEl;
  }

  /** Calls `fn(record)` for every record, oldest first, history included. */
  subscribe(fn) {
    this.#listeners.push(fn);
  }

  start() {
    const es = new EventSource('/api/events');
    es.addEventListener('open', () => this.#state('live', true));
    es.addEventListener('error', () => this.#state('reconnecting…', false));
    es.addEventListener('exchange', (e) => {
      let record;
      try {
        record = JSON.parse(e.data);
      } catch {
        return;
      }
      if (this.#ready) this.#emit(record);
      else this.#held.push(record);
    });
    getJson(`/api/exchanges?limit=${HISTORY}`)
      .catch(() => [])
      .then((history) => {
        for (const r of history) this.#emit(r);
        this.#ready = true;
        for (const r of this.#held.splice(0)) this.#emit(r);
      });
  }

  #emit(record) {
    if (typeof record?.id !== 'number' || record.id <= this.#seen) return;
    this.#seen = record.id;
    for (const fn of this.#listeners) {
      try {
        fn(record);
      } catch (err) {
        console.warn('console: a panel failed on a record', err);
      }
    }
  }

  #state(text, on) {
    this.#status.textContent = text;
    this.#status.classList.toggle('on', on);
  }
}
