/**
 * Mail: the list (live), search, and the message view with its tabs. The HTML preview is an
 * iframe with an empty `sandbox` (no scripts, no same-origin, no forms, no popups) loading
 * `/api/mail/:id/preview`, which the server sends with a CSP that blocks every remote load and
 * with the `cid:` images inlined from the message itself.
 * @module
 */
import { getJson, getText, send } from './api.js';
import { bytes, clear, dateTime, debounce, fields, h, td } from './dom.js';

/** Messages listed at once. */
export const MAIL_LIST_LIMIT = 500;
/** Raw source shown inline up to this size; the rest is a download. */
export const RAW_SHOWN_BYTES = 1024 * 1024;

const TABS = ['html', 'text', 'headers', 'raw', 'attachments', 'envelope'];

export function mailPanel(root, stream) {
  const form = root.querySelector('#mail-search');
  const body = root.querySelector('#mail-body');
  const view = root.querySelector('#mail-view');
  const total = root.querySelector('#mail-total');
  const badge = document.getElementById('mail-count');
  let openId;
  let loading = 0;

  const query = () => String(new FormData(form).get('q') ?? '').trim();

  const fromCell = (m) =>
    h(
      'td',
      { class: 'mail-from' },
      m.fromName ? h('span', { class: 'name', text: m.fromName }) : '',
      m.fromName ? ' ' : '',
      h('span', {
        class: m.fromName ? 'addr' : '',
        text: m.from ? (m.fromName ? `<${m.from}>` : m.from) : '(no sender)',
      }),
    );

  const row = (m) =>
    h(
      'tr',
      { class: m.id === openId ? 'selected' : '', data: { id: m.id }, on: { click: () => open(m.id) } },
      fromCell(m),
      td([...m.to, ...(m.cc ?? []).map((c) => `cc ${c}`)].join(', '), 'hide-narrow'),
      td(m.subject || '(no subject)', 'subject'),
      td(dateTime(m.date), 'hide-narrow'),
      td(bytes(m.size), 'n hide-narrow'),
      h(
        'td',
        { class: 'n', title: m.attachments > 0 ? `${m.attachments} attachment(s)` : undefined },
        m.attachments > 0
          ? h('span', {
              class: 'clip',
              text: String(m.attachments),
              title: `${m.attachments} attachment(s)`,
            })
          : '',
      ),
    );

  const load = async () => {
    const q = query();
    const n = ++loading;
    let list;
    try {
      list = await getJson(`/api/mail?limit=${MAIL_LIST_LIMIT}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    } catch (err) {
      body.replaceChildren(
        h('tr', {}, h('td', { class: 'error', text: `mail unavailable: ${err.message}`, attrs: { colspan: 6 } })),
      );
      return;
    }
    if (n !== loading) return; // a newer search is on its way
    if (list.length === 0)
      body.replaceChildren(
        h(
          'tr',
          {},
          h('td', { class: 'muted', text: q ? 'no message matches' : 'no mail captured yet', attrs: { colspan: 6 } }),
        ),
      );
    else body.replaceChildren(...list.map(row));
    total.textContent = q ? `${list.length} found` : `${list.length} message${list.length === 1 ? '' : 's'}`;
    if (!q) badge.textContent = list.length > 0 ? String(list.length) : '';
  };
  const reload = debounce(load, 250);

  const tabBar = (active, show) =>
    h(
      'div',
      { class: 'tabs', attrs: { role: 'tablist' } },
      ...TABS.map((t) =>
        h('button', {
          type: 'button',
          text: t,
          attrs: { role: 'tab', 'aria-selected': String(t === active), 'data-tab': t },
          on: { click: () => show(t) },
        }),
      ),
    );

  const pane = async (mail, tab) => {
    const id = encodeURIComponent(mail.id);
    switch (tab) {
      case 'html':
        return mail.html === undefined || mail.html === null
          ? h('p', { class: 'muted', text: 'This message has no HTML part.' })
          : h('iframe', {
              class: 'preview',
              title: 'HTML preview',
              attrs: { sandbox: '', referrerpolicy: 'no-referrer', src: `/api/mail/${id}/preview` },
            });
      case 'text':
        return h('pre', { class: 'body', text: mail.text ?? '(no text part)' });
      case 'headers':
        return fields(Object.entries(mail.headers));
      case 'raw': {
        const raw = await getText(`/api/mail/${id}/raw`);
        return h(
          'div',
          {},
          h(
            'p',
            {},
            h('a', { text: 'Download .eml', attrs: { href: `/api/mail/${id}/raw`, download: `${mail.id}.eml` } }),
          ),
          h('pre', {
            class: 'body raw',
            text:
              raw.length > RAW_SHOWN_BYTES
                ? `${raw.slice(0, RAW_SHOWN_BYTES)}\n… (${bytes(raw.length)}, download for the rest)`
                : raw,
          }),
        );
      }
      case 'attachments':
        if (mail.attachments.length === 0) return h('p', { class: 'muted', text: 'No attachments.' });
        return h(
          'ul',
          { class: 'plain attachments' },
          ...mail.attachments.map((a, n) =>
            h(
              'li',
              {},
              h('a', {
                text: a.filename ?? `attachment-${n}`,
                attrs: { href: `/api/mail/${id}/attachments/${n}`, download: a.filename ?? `attachment-${n}` },
              }),
              ` ${a.contentType}, ${bytes(a.size)}${a.inline ? ', inline' : ''}${a.contentId ? `, cid:${a.contentId}` : ''}`,
            ),
          ),
        );
      case 'envelope':
        return mail.envelope
          ? fields([
              ['MAIL FROM', mail.envelope.mailFrom || '<>'],
              ...mail.envelope.rcptTo.map((r, i) => [i === 0 ? 'RCPT TO' : '', r]),
            ])
          : h('p', { class: 'muted', text: 'No envelope was stored with this message.' });
    }
  };

  const open = async (id) => {
    openId = id;
    for (const tr of body.querySelectorAll('tr')) tr.classList.toggle('selected', tr.dataset.id === id);
    let mail;
    try {
      mail = await getJson(`/api/mail/${encodeURIComponent(id)}`);
    } catch (err) {
      view.hidden = false;
      view.replaceChildren(h('p', { class: 'error', text: err.message }));
      return;
    }
    if (openId !== id) return;
    const content = h('div', { class: 'tab-content' });
    const show = async (tab) => {
      for (const b of view.querySelectorAll('.tabs button'))
        b.setAttribute('aria-selected', String(b.dataset.tab === tab));
      content.replaceChildren(h('p', { class: 'muted', text: 'loading…' }));
      try {
        content.replaceChildren(await pane(mail, tab));
      } catch (err) {
        content.replaceChildren(h('p', { class: 'error', text: err.message }));
      }
    };
    const first = mail.html !== undefined && mail.html !== null ? 'html' : 'text';
    clear(view);
    view.append(
      h(
        'header',
        {},
        h('h3', { text: mail.subject || '(no subject)' }),
        h('button', { type: 'button', class: 'danger', text: 'Delete', on: { click: () => remove(id) } }),
        h('button', { type: 'button', text: 'Close', on: { click: closeView } }),
      ),
      fields([
        ['From', mail.fromName ? `${mail.fromName} <${mail.from}>` : mail.from],
        ['To', mail.to.join(', ')],
        ...(mail.cc.length > 0 ? [['Cc', mail.cc.join(', ')]] : []),
        ...(mail.bcc.length > 0 ? [['Bcc', mail.bcc.join(', ')]] : []),
        ['Date', dateTime(mail.date)],
        ['Size', bytes(mail.size)],
      ]),
      tabBar(first, show),
      content,
    );
    view.hidden = false;
    await show(first);
  };

  const closeView = () => {
    openId = undefined;
    view.hidden = true;
    clear(view);
    for (const tr of body.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  };

  const remove = async (id) => {
    try {
      await send('DELETE', `/api/mail/${encodeURIComponent(id)}`);
    } catch (err) {
      total.textContent = `delete failed: ${err.message}`;
      return;
    }
    closeView();
    await load();
  };

  root.querySelector('#mail-delete-all').addEventListener('click', async () => {
    if (!window.confirm('Delete every captured message?')) return;
    try {
      await send('DELETE', '/api/mail');
    } catch (err) {
      total.textContent = `delete failed: ${err.message}`;
      return;
    }
    closeView();
    await load();
  });
  form.addEventListener('input', reload);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  // New mail: the SMTP server records the end of DATA (or BDAT LAST) with a 250.
  stream.subscribe((r) => {
    if (r.protocol === 'smtp' && r.side === 'server' && r.ok && /^(DATA|BDAT)/.test(r.request)) reload();
    // Mail deleted through the API by someone else.
    else if (r.protocol === 'http' && r.side === 'server' && /^DELETE \/api\/mail/.test(r.request)) reload();
  });
  void load();
  return {};
}
