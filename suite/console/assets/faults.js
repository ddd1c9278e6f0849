/**
 * Faults (the fault-injection feature, `/api/faults`): the active rules with their hit counts;
 * add one (JSON, the SPEC's rule shape) and remove one. The tab shows only when the API answers.
 * @module
 */
import { getJson, send } from './api.js';
import { h, td } from './dom.js';

export function faultsPanel(root) {
  const form = root.querySelector('#faults-add');
  const body = root.querySelector('#faults-list tbody');
  const message = root.querySelector('#faults-message');
  let timer;

  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.toggle('error', error);
  };

  const load = async () => {
    let rules;
    try {
      rules = await getJson('/api/faults');
    } catch (err) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'error', text: err.message, attrs: { colspan: 6 } })));
      return;
    }
    if (!Array.isArray(rules) || rules.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'muted', text: 'no rules', attrs: { colspan: 6 } })));
      return;
    }
    body.replaceChildren(
      ...rules.map((r) =>
        h(
          'tr',
          { data: { id: r.id } },
          td(r.id),
          td(r.protocol),
          td(JSON.stringify(r.match ?? {})),
          td(JSON.stringify(r.action ?? {})),
          td(r.hits, 'n'),
          h('td', {}, h('button', { type: 'button', text: 'remove', on: { click: () => remove(r.id) } })),
        ),
      ),
    );
  };

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
    let rule;
    try {
      rule = JSON.parse(String(new FormData(form).get('rule') ?? ''));
    } catch {
      say('the rule is not valid JSON', true);
      return;
    }
    try {
      const added = await send('POST', '/api/faults', rule);
      say(`added ${added?.id ?? ''}`);
      form.reset();
    } catch (err) {
      say(err.message, true);
    }
    await load();
  });

  return {
    visible(on) {
      clearInterval(timer);
      if (!on) return;
      void load();
      timer = setInterval(load, 2000);
    },
  };
}
