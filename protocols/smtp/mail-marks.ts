/**
 * The order in which a service's store received its messages, for `since: mark` and
 * `expectNoMessage`: each delivered message gets the next number, so "after the mark" is a
 * comparison of counts, not of clock times.
 * @module
 */
import { type AbsenceOptions, EXPECT_NO_MS, expectAbsence } from '../../shared/mark.js';
import type { MailStore, MailSummary, StoredMail } from './mail-store.js';

export class MailMarks {
  #store: MailStore;
  #count = 0;
  #order = new Map<string, number>();

  constructor(store: MailStore) {
    this.#store = store;
    store.on('message', (summary) => {
      this.#order.set(summary.id, ++this.#count);
      // The store keeps at most maxMessages, dropping the oldest first: any message it still has
      // is among the last maxMessages delivered, so older numbers can go (else one per message, forever).
      if (this.#order.size > store.maxMessages) {
        const oldest = this.#order.keys().next();
        if (!oldest.done) this.#order.delete(oldest.value);
      }
    });
  }

  /** Messages delivered so far (for marks). */
  get count(): number {
    return this.#count;
  }

  /** Whether message `id` came after the first `after` deliveries (messages stored before start never do). */
  isAfter(id: string, after: number): boolean {
    return (this.#order.get(id) ?? 0) > after;
  }

  /**
   * Resolves when no message matching `predicate` is stored for `forMs` (nor since `since`);
   * otherwise rejects at once, listing it.
   */
  expectNone(predicate: (mail: StoredMail) => boolean, options: AbsenceOptions, what: string): Promise<void> {
    const store = this.#store;
    const describe = (m: StoredMail) =>
      `${m.id}  from ${m.from || '<>'} to ${m.to.join(', ')}: ${JSON.stringify(m.subject)}`;
    return expectAbsence(
      options.forMs ?? EXPECT_NO_MS,
      (offending) => {
        const check = (id: string) => {
          void store
            .get(id)
            .then((mail) => {
              if (mail && predicate(mail)) offending(describe(mail));
            })
            .catch(() => {});
        };
        const onMessage = (summary: MailSummary) => check(summary.id);
        store.on('message', onMessage);
        const since = options.since;
        if (since)
          void store
            .list()
            .then((list) => {
              for (const s of list) if (this.isAfter(s.id, since.mail)) check(s.id);
            })
            .catch(() => {});
        return () => store.off('message', onMessage);
      },
      what,
    );
  }
}
