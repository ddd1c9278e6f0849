/**
 * Status: each service's address, state, uptime, connections, exchanges and errors, and the TLS
 * certificate in use when there is one. Polled while the panel is shown.
 * @module
 */
import { getJson } from './api.js';
import { dateTime, duration, fields, h, td } from './dom.js';

/** Poll interval while shown. */
export const STATUS_POLL_MS = 2000;

export function statusPanel(root) {
  const body = root.querySelector('#status-table tbody');
  const tlsEl = root.querySelector('#status-tls');
  let timer;

  const load = async () => {
    let status;
    try {
      status = await getJson('/api/status');
    } catch (err) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'error', text: err.message, attrs: { colspan: 7 } })));
      return;
    }
    body.replaceChildren(
      ...status.services.map((s) =>
        h(
          'tr',
          { class: s.state === 'up' ? '' : 'fail', data: { protocol: s.protocol } },
          h('td', {}, h('span', { class: `proto ${s.protocol}`, text: s.protocol })),
          td(s.state),
          h(
            'td',
            {},
            ...s.urls.flatMap((u, i) => [
              i > 0 ? ' ' : '',
              u.startsWith('http') ? h('a', { text: u, attrs: { href: u } }) : h('span', { text: u }),
            ]),
          ),
          td(s.uptimeMs === undefined ? '' : duration(s.uptimeMs), 'n'),
          td(s.connections, 'n'),
          td(s.exchanges, 'n'),
          td(s.errors, 'n'),
        ),
      ),
    );
    const tls = status.tls;
    tlsEl.replaceChildren(
      ...(tls
        ? [
            h('h2', { text: 'TLS certificate' }),
            fields([
              ['Subject', tls.subject],
              ['Issuer', tls.issuer],
              ['Names', tls.subjectAltName ?? ''],
              ['Valid from', dateTime(tls.validFrom)],
              ['Valid to', dateTime(tls.validTo)],
              ['SHA-256', tls.fingerprint256],
            ]),
          ]
        : [
            h('p', { class: 'muted', text: 'TLS is off (start with --tls for STARTTLS, AUTH TLS and the TLS ports).' }),
          ]),
    );
  };

  return {
    visible(on) {
      clearInterval(timer);
      if (!on) return;
      void load();
      timer = setInterval(load, STATUS_POLL_MS);
    },
  };
}
