/**
 * Faults (the fault-injection feature, `/api/faults`): the active rules with their hit counts;
 * add one (JSON, the SPEC's rule shape, or the one-line `--fault` form) and remove one. The tab
 * shows only when the API answers. Counts refresh on a timer and as soon as a changed exchange
 * (a record with a `fault` note) arrives.
 * @module
 */
import { getJson, send, sendText } from './api.js';
import { debounce, h, td } from './dom.js';

/** How often the list is asked for while the panel is shown. */
export const REFRESH_MS = 2000;
const COLUMNS = 7;

/** "times 1 · after 2 · 30% · expires in 60000 ms": when the rule applies, beyond its match. */
export function ruleLimits(r) {
  const parts = [];
  if (r.scope === 'connection') parts.push('per connection');
  if (r.times !== undefined) parts.push(`times ${r.times}`);
  if (r.after !== undefined) parts.push(`after ${r.after}`);
  if (r.probability !== undefined) parts.push(`${Math.round(r.probability * 1000) / 10}%`);
  if (r.seed !== undefined) parts.push(`seed ${r.seed}`);
  if (r.expiresMs !== undefined) parts.push(`expires after ${r.expiresMs} ms`);
  return parts.join(' · ');
}

export function faultsPanel(root, stream) {
  const form = root.querySelector('#faults-add');
  const body = root.querySelector('#faults-list tbody');
  const message = root.querySelector('#faults-message');
  let timer;
  let shown = false;

  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.toggle('error', error);
  };

  const load = async () => {
    let rules;
    try {
      rules = await getJson('/api/faults');
    } catch (err) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'error', text: err.message, attrs: { colspan: COLUMNS } })));
      return;
    }
    if (!Array.isArray(rules) || rules.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'muted', text: 'no rules', attrs: { colspan: COLUMNS } })));
      return;
    }
    body.replaceChildren(
      ...rules.map((r) =>
        h(
          'tr',
          { data: { id: r.id } },
          td(r.id),
          td(r.protocol),
          td(JSON.stringify(r.match ?? {}), 't'),
          td(JSON.stringify(r.action ?? {}), 't'),
          td(ruleLimits(r), 'limits'),
          td(r.hits, 'n'),
          h('td', {}, h('button', { type: 'button', text: 'remove', on: { click: () => remove(r.id) } })),
        ),
      ),
    );
  };
  const soon = debounce(() => shown && void load(), 100);

  const remove = async (id) => {
    try {
      await send('DELETE', `/api/faults/${encodeURIComponent(id)}`);
      say(`removed ${id}`);
    } catch (err) {
      say(err.message, true);
    }
    await load();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = String(new FormData(form).get('rule') ?? '').trim();
    if (text === '') {
      say('give a rule: JSON, or the one-line form', true);
      return;
    }
    let added;
    try {
      if (text.startsWith('{')) {
        let rule;
        try {
          rule = JSON.parse(text);
        } catch {
          say('the rule is not valid JSON', true);
          return;
        }
        added = await send('POST', '/api/faults', rule);
      } else added = await sendText('/api/faults', text);
      say(`added ${added?.id ?? ''}`);
      form.reset();
    } catch (err) {
      say(err.message, true);
    }
    await load();
  });

  // A record a rule changed means a hit count moved: show it without waiting for the timer.
  stream?.subscribe((record) => {
    if (record.fault) soon();
  });

  return {
    visible(on) {
      shown = on;
      clearInterval(timer);
      if (!on) return;
      void load();
      timer = setInterval(load, REFRESH_MS);
    },
  };
}
