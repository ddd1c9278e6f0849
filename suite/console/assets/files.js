/**
 * Files: browse the FTP root (served at /files/ over HTTP, listed as JSON), download, sizes
 * and dates. Refreshes when an FTP command changes the folder shown.
 * @module
 */
import { encodePath, getJson } from './api.js';
import { bytes, dateTime, debounce, h, td } from './dom.js';

const CHANGES = /^(STOR|STOU|APPE|DELE|RMD|XRMD|MKD|XMKD|RNTO)\b/;

export function filesPanel(root, stream) {
  const crumbs = root.querySelector('#files-crumbs');
  const body = root.querySelector('#files-list tbody');
  /** The folder shown, relative to the root, without leading or trailing '/'. */
  let folder = '';
  let visible = false;

  const go = (path) => {
    folder = path;
    void load();
  };

  const renderCrumbs = () => {
    const parts = folder === '' ? [] : folder.split('/');
    crumbs.replaceChildren(
      h('button', { type: 'button', text: 'files', on: { click: () => go('') } }),
      ...parts.flatMap((p, i) => [
        ' / ',
        h('button', { type: 'button', text: p, on: { click: () => go(parts.slice(0, i + 1).join('/')) } }),
      ]),
    );
  };

  const load = async () => {
    renderCrumbs();
    let listing;
    try {
      listing = await getJson(`/files/${folder === '' ? '' : `${encodePath(folder)}/`}`);
    } catch (err) {
      body.replaceChildren(h('tr', {}, h('td', { class: 'error', text: err.message, attrs: { colspan: 3 } })));
      return;
    }
    const rows = listing.entries.map((e) => {
      const path = folder === '' ? e.name : `${folder}/${e.name}`;
      const name =
        e.type === 'directory'
          ? h('a', {
              text: `${e.name}/`,
              attrs: { href: '#files' },
              on: {
                click: (ev) => {
                  ev.preventDefault();
                  go(path);
                },
              },
            })
          : h('a', { text: e.name, attrs: { href: e.url, download: e.name } });
      return h(
        'tr',
        { data: { type: e.type } },
        h('td', {}, name),
        td(e.type === 'directory' ? '' : bytes(e.size), 'n'),
        td(dateTime(e.modified)),
      );
    });
    if (folder !== '')
      rows.unshift(
        h(
          'tr',
          {},
          h(
            'td',
            {},
            h('a', {
              text: '../',
              attrs: { href: '#files' },
              on: {
                click: (ev) => {
                  ev.preventDefault();
                  go(folder.split('/').slice(0, -1).join('/'));
                },
              },
            }),
          ),
          td(''),
          td(''),
        ),
      );
    if (listing.entries.length === 0)
      rows.push(h('tr', {}, h('td', { class: 'muted', text: 'empty folder', attrs: { colspan: 3 } })));
    if (listing.truncated)
      rows.push(h('tr', {}, h('td', { class: 'muted', text: 'more entries not shown', attrs: { colspan: 3 } })));
    body.replaceChildren(...rows);
  };
  const refresh = debounce(() => {
    if (visible) void load();
  }, 300);
  stream.subscribe((r) => {
    if (r.protocol === 'ftp' && r.side === 'server' && r.ok && CHANGES.test(r.request)) refresh();
  });
  return {
    visible(on) {
      visible = on;
      if (on) void load();
    },
  };
}
