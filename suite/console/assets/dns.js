/**
 * DNS: the zones served with their records (built-in, files, added at run time), a form to add
 * or remove a record, and the recent queries with the answers they got.
 * @module
 */
import { getJson, send } from './api.js';
import { clock, debounce, h, td } from './dom.js';

/** Queries listed. */
export const QUERIES_SHOWN = 200;

export function dnsPanel(root, stream) {
  const zonesEl = root.querySelector('#dns-zones');
  const queriesBody = root.querySelector('#dns-queries tbody');
  const form = root.querySelector('#dns-add');
  const message = root.querySelector('#dns-message');
  let visible = false;

  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.toggle('error', error);
  };

  const remove = async (record) => {
    try {
      const { removed } = await send('DELETE', '/api/dns/records', {
        name: record.name,
        type: record.type,
        data: record.data,
      });
      say(`removed ${removed} record${removed === 1 ? '' : 's'}`);
    } catch (err) {
      say(err.message, true);
    }
    await loadZones();
  };

  const loadZones = async () => {
    let dns;
    try {
      dns = await getJson('/api/dns');
    } catch (err) {
      zonesEl.replaceChildren(h('p', { class: 'error', text: `DNS unavailable: ${err.message}` }));
      return;
    }
    zonesEl.replaceChildren(
      ...dns.zones.map((zone) =>
        h(
          'div',
          { class: 'zone', data: { origin: zone.origin } },
          h('h2', { text: `${zone.origin} (${zone.records.length} records${zone.source ? `, ${zone.source}` : ''})` }),
          h(
            'div',
            { class: 'scroll short' },
            h(
              'table',
              { class: 'grid' },
              h('thead', {}, h('tr', {}, ...['Name', 'TTL', 'Type', 'Data', ''].map((t) => h('th', { text: t })))),
              h(
                'tbody',
                {},
                ...zone.records.map((r) =>
                  h(
                    'tr',
                    {},
                    td(r.name),
                    td(r.ttl, 'n'),
                    td(r.type),
                    td(r.data),
                    h(
                      'td',
                      {},
                      r.type === 'SOA'
                        ? ''
                        : h('button', {
                            type: 'button',
                            text: 'remove',
                            title: `remove ${r.name} ${r.type} ${r.data}`,
                            on: { click: () => remove(r) },
                          }),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const loadQueries = async () => {
    let list;
    try {
      list = await getJson(`/api/dns/queries?limit=${QUERIES_SHOWN}`);
    } catch {
      return;
    }
    queriesBody.replaceChildren(
      ...list.map((q) =>
        h(
          'tr',
          { class: q.rcode === 'NOERROR' || q.rcode === 'NXDOMAIN' ? '' : 'fail' },
          td(clock(q.time)),
          td(`${q.peer} ${q.transport}`, 'hide-narrow'),
          td(q.name === undefined ? '(no question)' : `${q.type} ${q.name}`),
          td(`${q.rcode}${q.truncated ? ' TC' : ''}`),
          h(
            'td',
            {},
            q.answers.length === 0
              ? h('span', { class: 'muted', text: 'none' })
              : h('ul', { class: 'plain' }, ...q.answers.map((a) => h('li', { text: a }))),
          ),
        ),
      ),
    );
  };
  const refresh = debounce(() => {
    if (visible) void loadQueries();
  }, 300);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const line = String(new FormData(form).get('line') ?? '').trim();
    if (!line) return;
    try {
      const { added } = await send('POST', '/api/dns/records', { record: line });
      say(added ? 'added' : 'that record was already there');
      form.reset();
    } catch (err) {
      say(err.message, true);
    }
    await loadZones();
  });
  stream.subscribe((r) => {
    if (r.protocol === 'dns' && r.side === 'server') refresh();
  });
  return {
    visible(on) {
      visible = on;
      if (on) {
        void loadZones();
        void loadQueries();
      }
    },
  };
}
