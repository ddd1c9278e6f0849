/**
 * The console's entry: tabs (kept in the URL's hash), the shared exchange stream, the panels.
 * @module
 */
import { features } from './api.js';
import { dnsPanel } from './dns.js';
import { faultsPanel } from './faults.js';
import { filesPanel } from './files.js';
import { mailPanel } from './mail.js';
import { statusPanel } from './status.js';
import { ExchangeStream } from './stream.js';
import { timelinePanel } from './timeline.js';

const stream = new ExchangeStream(document.getElementById('live'));
const panels = {
  timeline: timelinePanel(document.getElementById('panel-timeline'), stream),
  mail: mailPanel(document.getElementById('panel-mail'), stream),
  dns: dnsPanel(document.getElementById('panel-dns'), stream),
  files: filesPanel(document.getElementById('panel-files'), stream),
  status: statusPanel(document.getElementById('panel-status')),
  faults: faultsPanel(document.getElementById('panel-faults'), stream),
};
const tabs = [...document.querySelectorAll('#tabs button[data-tab]')];

function show(name) {
  if (!(name in panels) || tabs.find((t) => t.dataset.tab === name)?.hidden) name = 'timeline';
  for (const tab of tabs) {
    const on = tab.dataset.tab === name;
    if (on) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  for (const section of document.querySelectorAll('[data-panel]')) section.hidden = section.dataset.panel !== name;
  for (const [key, panel] of Object.entries(panels)) panel.visible?.(key === name);
}

for (const tab of tabs)
  tab.addEventListener('click', () => {
    location.hash = tab.dataset.tab;
  });
window.addEventListener('hashchange', () => show(location.hash.slice(1)));

// The faults panel belongs to the fault-injection feature: shown only when its API answers.
features().then((list) => {
  const yes = list.includes('faults');
  const tab = tabs.find((t) => t.dataset.tab === 'faults');
  if (tab) tab.hidden = !yes;
  if (yes && location.hash === '#faults') show('faults');
});

show(location.hash.slice(1));
stream.start();
