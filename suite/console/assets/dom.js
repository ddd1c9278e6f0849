/**
 * DOM helpers for the console. Everything shown is text: nodes are built with textContent and
 * attributes, never from markup, so subjects, addresses, file names and request lines cannot
 * become HTML.
 * @module
 */

/**
 * Creates an element. `props`: `class`, `text`, `title`, `type` (of a button or input), `on` (event → handler), `attrs`
 * (name → value, skipped when undefined/false), `data` (dataset). Children: nodes or strings.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = String(props.text);
  if (props.title !== undefined) el.title = String(props.title);
  if (props.type !== undefined) el.setAttribute('type', String(props.type));
  for (const [name, value] of Object.entries(props.attrs ?? {}))
    if (value !== undefined && value !== false) el.setAttribute(name, value === true ? '' : String(value));
  for (const [name, value] of Object.entries(props.data ?? {})) el.dataset[name] = String(value);
  for (const [event, handler] of Object.entries(props.on ?? {})) el.addEventListener(event, handler);
  for (const child of children) if (child !== undefined && child !== null && child !== false) el.append(child);
  return el;
}

/** A table cell with text. */
export function td(text, cls) {
  return h('td', { text: text ?? '', class: cls });
}

export function clear(el) {
  el.replaceChildren();
}

/** "11:42:07.315". */
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Local date and time, short. */
export function dateTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** "13 B", "2.1 KiB", "4.0 MiB". */
export function bytes(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** "3 s", "4 min 2 s", "2 h 5 min". */
export function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Runs `fn` at most once per `ms`, after the last call. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A definition list of [term, value, class?] rows. */
export function fields(rows) {
  const dl = h('dl', { class: 'fields' });
  for (const [term, value, cls] of rows) dl.append(h('dt', { text: term }), h('dd', { text: value ?? '', class: cls }));
  return dl;
}
