/**
 * `GET /`: the dashboard. One self-contained page (no external assets): the services of the run
 * with their URLs, a live exchange timeline (history from /api/exchanges, then /api/events), and
 * the captured mail with links to the parsed and raw message.
 * @module
 */

import { escapeHtml, sendText } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { Service } from '../../shared/service.js';

/** How many timeline rows the page keeps. */
const TIMELINE_ROWS = 500;

function serviceRows(services: readonly Service[]): string {
  if (services.length === 0) return '<tr><td colspan="4">none</td></tr>';
  return services
    .map((s) => {
      const urls = s.healthy()
        ? s
            .urls()
            .map((u) => (u.startsWith('http') ? `<a href="${escapeHtml(u)}">${escapeHtml(u)}</a>` : escapeHtml(u)))
            .join(' ')
        : '';
      const state = s.healthy() ? '<span class="ok">up</span>' : '<span class="bad">down</span>';
      return `<tr><td>${escapeHtml(s.protocol)}</td><td>${state}</td><td>${urls}</td><td class="n">${s.openConnections()}</td></tr>`;
    })
    .join('\n');
}

/** The page, with the services rendered in (so it is useful even without JavaScript). */
export function dashboardHtml(services: readonly Service[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>minisuite</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f0f0f0}.n{text-align:right}.ok{color:#176b1b}.bad{color:#b3261e}
#timeline td{font-family:ui-monospace,monospace;font-size:12px;white-space:nowrap}
#timeline td.t{white-space:normal;word-break:break-all}
.wrap{max-height:26em;overflow:auto;border:1px solid #ddd}
#status{font-size:12px;color:#666}
</style></head>
<body>
<h1>minisuite</h1>
<h2>Services</h2>
<table><thead><tr><th>Protocol</th><th>State</th><th>URLs</th><th class="n">Open connections</th></tr></thead>
<tbody>${serviceRows(services)}</tbody></table>
<p>Files: <a href="/files/">/files/</a> · API: <a href="/api/exchanges">/api/exchanges</a> · <a href="/api/mail">/api/mail</a> · <a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a></p>
<h2>Exchanges <span id="status">connecting…</span></h2>
<div class="wrap"><table id="timeline"><thead><tr><th>Time</th><th>Protocol</th><th>Side</th><th>Peer</th><th>Request</th><th>Response</th><th class="n">ms</th><th class="n">Bytes</th></tr></thead><tbody></tbody></table></div>
<h2>Mail</h2>
<table id="mail"><thead><tr><th>Date</th><th>From</th><th>To</th><th>Subject</th><th class="n">Size</th><th></th></tr></thead><tbody><tr><td colspan="6">loading…</td></tr></tbody></table>
<script>
(() => {
  const MAX = ${TIMELINE_ROWS};
  const body = document.querySelector('#timeline tbody');
  const status = document.getElementById('status');
  let lastId = 0;
  const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
  const add = (r) => {
    if (r.id <= lastId) return;
    lastId = r.id;
    const tr = document.createElement('tr');
    tr.className = r.ok ? '' : 'bad';
    tr.append(cell(new Date(r.time).toLocaleTimeString()), cell(r.protocol), cell(r.side), cell(r.peer),
      cell(r.request, 't'), cell(r.response, 't'), cell(String(r.durationMs), 'n'), cell(String(r.bytesIn + r.bytesOut), 'n'));
    body.prepend(tr);
    while (body.rows.length > MAX) body.deleteRow(body.rows.length - 1);
    if (r.protocol === 'smtp') refreshMailSoon();
  };
  let mailTimer;
  const refreshMailSoon = () => { clearTimeout(mailTimer); mailTimer = setTimeout(loadMail, 300); };
  const loadMail = async () => {
    const tbody = document.querySelector('#mail tbody');
    try {
      const list = await (await fetch('/api/mail')).json();
      tbody.replaceChildren();
      if (!Array.isArray(list) || list.length === 0) { tbody.innerHTML = '<tr><td colspan="6">no mail captured</td></tr>'; return; }
      for (const m of list) {
        const tr = document.createElement('tr');
        const links = document.createElement('td');
        const id = encodeURIComponent(m.id);
        const a = document.createElement('a'); a.href = '/api/mail/' + id; a.textContent = 'parsed';
        const b = document.createElement('a'); b.href = '/api/mail/' + id + '/raw'; b.textContent = 'raw';
        links.append(a, ' · ', b);
        tr.append(cell(new Date(m.date).toLocaleString()), cell(m.from), cell(m.to.join(', ')), cell(m.subject), cell(String(m.size), 'n'), links);
        tbody.append(tr);
      }
    } catch (e) { tbody.innerHTML = '<tr><td colspan="6">mail store unavailable</td></tr>'; }
  };
  const connect = () => {
    const es = new EventSource('/api/events');
    es.addEventListener('open', () => { status.textContent = 'live'; });
    es.addEventListener('exchange', (e) => add(JSON.parse(e.data)));
    es.addEventListener('error', () => { status.textContent = 'reconnecting…'; });
  };
  fetch('/api/exchanges?limit=' + MAX).then((r) => r.json()).then((list) => { list.forEach(add); }).catch(() => {}).finally(connect);
  loadMail();
})();
</script>
</body></html>
`;
}

export function registerDashboardRoutes(router: Router, services: () => readonly Service[]): void {
  router.on('GET', '/', (ctx) => sendText(ctx.res, 200, 'text/html; charset=utf-8', dashboardHtml(services())));
}
