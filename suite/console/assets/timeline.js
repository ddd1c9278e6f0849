/**
 * The live timeline: newest first, a colour per protocol, failures marked, filters, pause, the
 * full record on click and the session view (one connection as a dialogue with timings).
 * @module
 */
import { bytes, clear, clock, fields, h, td } from './dom.js';
import { findRequest, requestSection } from './request-view.js';

/** Records kept in the page; older ones are dropped. */
export const MAX_RECORDS = 5000;
/** Rows drawn at once (the newest matching ones). */
export const MAX_ROWS = 500;

const FIELD_ORDER = [
  'id',
  'time',
  'protocol',
  'side',
  'transport',
  'session',
  'peer',
  'request',
  'response',
  'ok',
  'bytesIn',
  'bytesOut',
  'durationMs',
  'fault',
];

/** The path of an HTTP record's request line ("GET /api/mail?q=x" → "/api/mail"). */
function requestPath(record) {
  const target = record.request.split(' ')[1] ?? '';
  return target.split('?')[0];
}

/** The console's own traffic: the page, its assets, its API calls, the favicon. */
export function isConsoleOwn(record) {
  if (record.protocol !== 'http') return false;
  const path = requestPath(record);
  return path === '/' || path.startsWith('/console/') || path.startsWith('/api/') || path.startsWith('/favicon.');
}

export function timelinePanel(root, stream) {
  const form = root.querySelector('#tl-filters');
  const body = root.querySelector('#tl-body');
  const detail = root.querySelector('#tl-detail');
  const pauseButton = root.querySelector('#tl-pause');
  const count = root.querySelector('#tl-count');
  /** Newest first. */
  let records = [];
  let paused = false;
  let pending = 0;
  let selected;

  const filter = () => {
    const data = new FormData(form);
    return {
      protocols: new Set(data.getAll('protocol')),
      side: data.get('side'),
      ok: data.get('ok'),
      text: String(data.get('text') ?? '')
        .trim()
        .toLowerCase(),
      own: data.get('own') === 'on',
    };
  };
  let current = filter();

  const matches = (r, f = current) =>
    f.protocols.has(r.protocol) &&
    (!f.side || r.side === f.side) &&
    (!f.ok || (f.ok === 'ok') === r.ok) &&
    (f.own || !isConsoleOwn(r)) &&
    (!f.text ||
      `${r.request}\n${r.response}\n${r.peer}\n${r.session}\n${r.fault ?? ''}`.toLowerCase().includes(f.text));

  const row = (r) => {
    const tr = h(
      'tr',
      {
        class: `p-${r.protocol}${r.ok ? '' : ' fail'}${r.fault ? ' faulted' : ''}${selected?.id === r.id ? ' selected' : ''}`,
        data: { id: r.id },
        on: { click: () => select(r) },
      },
      td(clock(r.time)),
      h('td', {}, h('span', { class: `proto ${r.protocol}`, text: r.protocol })),
      td(r.side),
      td(r.session, 'hide-narrow'),
      td(r.peer, 'hide-narrow'),
      td(r.request, 't'),
      td(r.response, 't res'),
      td(r.durationMs, 'n'),
      td(bytes(r.bytesIn + r.bytesOut), 'n hide-narrow'),
    );
    if (!r.ok) tr.title = 'failed';
    if (r.fault) tr.title = `fault: ${r.fault}`;
    return tr;
  };

  const updateCount = () => {
    const shown = body.rows.length;
    count.textContent = `${shown} shown of ${records.length}${paused && pending > 0 ? ` · ${pending} new while paused` : ''}`;
  };

  const render = () => {
    const rows = [];
    for (const r of records) {
      if (rows.length >= MAX_ROWS) break;
      if (matches(r)) rows.push(row(r));
    }
    body.replaceChildren(...rows);
    updateCount();
  };

  const add = (r) => {
    records.unshift(r);
    if (records.length > MAX_RECORDS) records.length = MAX_RECORDS;
    if (paused) {
      pending++;
      updateCount();
      return;
    }
    if (!matches(r)) {
      updateCount();
      return;
    }
    body.prepend(row(r));
    while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
    updateCount();
  };

  const session = (r) =>
    records.filter((x) => x.session === r.session && x.protocol === r.protocol && x.side === r.side).reverse();

  const dialogue = (list) => {
    const start = new Date(list[0]?.time ?? 0).getTime();
    const box = h('div', { class: 'dialogue' });
    for (const x of list) {
      const at = `+${(new Date(x.time).getTime() - start).toFixed(0)} ms`;
      // On the server side the peer is the client; on the client side we are.
      box.append(
        h(
          'div',
          { class: 'turn c', data: { id: x.id } },
          h('span', { class: 'at', text: at }),
          h('span', { text: 'C:' }),
          h('span', { class: 'line', text: x.request }),
          h('span'),
        ),
        h(
          'div',
          { class: `turn s${x.ok ? '' : ' fail'}` },
          h('span'),
          h('span', { text: 'S:' }),
          h('span', { class: 'line', text: x.response + (x.fault ? `  [fault ${x.fault}]` : '') }),
          h('span', { class: 'took', text: `${x.durationMs} ms` }),
        ),
      );
    }
    return box;
  };

  const showSession = (r) => {
    const list = session(r);
    const total = list.reduce((sum, x) => sum + x.durationMs, 0);
    const what = r.protocol === 'http' ? 'HTTP connection' : `${r.protocol.toUpperCase()} session`;
    clear(detail);
    detail.append(
      h(
        'header',
        {},
        h('h3', { text: `${what} ${r.session}` }),
        h('button', { type: 'button', text: 'Record', on: { click: () => showRecord(r) } }),
        h('button', { text: 'Close', on: { click: close } }),
      ),
      h('p', {
        class: 'muted',
        text: `${list.length} exchange${list.length === 1 ? '' : 's'} · ${r.side} side · peer ${r.peer} · ${total.toFixed(2)} ms in exchanges`,
      }),
      dialogue(list),
    );
    detail.dataset.view = 'session';
  };

  const showRecord = (r) => {
    clear(detail);
    const rows = FIELD_ORDER.filter((k) => k in r).map((k) => [
      k,
      typeof r[k] === 'string' ? r[k] : JSON.stringify(r[k]),
      k === 'fault' ? 'fault' : undefined,
    ]);
    for (const k of Object.keys(r))
      if (!FIELD_ORDER.includes(k)) rows.push([k, typeof r[k] === 'string' ? r[k] : JSON.stringify(r[k])]);
    detail.append(
      h(
        'header',
        {},
        h('h3', { text: `#${r.id} ${r.protocol} ${r.side}` }),
        h('button', {
          type: 'button',
          text: 'Session view',
          attrs: { 'data-action': 'session' },
          on: { click: () => showSession(r) },
        }),
        h('button', { type: 'button', text: 'Close', on: { click: close } }),
      ),
      fields(rows),
    );
    detail.dataset.view = 'record';
    if (r.protocol === 'http' && r.side === 'server') void showRequest(r);
  };

  /** The recorded request (method, URL, headers, body) from the test kit's /api/requests, when it is there. */
  const showRequest = async (r) => {
    const q = await findRequest(r);
    // The user may have moved on while it was asked for.
    if (!q || selected?.id !== r.id || detail.dataset.view !== 'record') return;
    detail.querySelector('section.request')?.remove();
    detail.append(requestSection(q));
  };

  const select = (r) => {
    selected = r;
    for (const tr of body.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    body.querySelector(`tr[data-id="${r.id}"]`)?.classList.add('selected');
    detail.hidden = false;
    showRecord(r);
  };

  const close = () => {
    selected = undefined;
    detail.hidden = true;
    for (const tr of body.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  };

  form.addEventListener('input', () => {
    current = filter();
    render();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  pauseButton.addEventListener('click', () => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      pending = 0;
      render();
    }
    updateCount();
  });
  root.querySelector('#tl-clear').addEventListener('click', () => {
    records = [];
    pending = 0;
    close();
    render();
  });

  stream.subscribe(add);
  render();
  return {};
}
