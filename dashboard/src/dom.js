// A few DOM helpers: elements from tag, attributes and children; SVG the same way.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/**
 * `h('p', { class: 'x', onClick: fn }, 'text', child)`; null, undefined and false children
 * are skipped.
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/**
 * Replace `container`'s content; the element that had the focus inside it (by `data-testid` or
 * `id`) gets it back, so that a keyboard user keeps their place when a new block re-renders.
 */
export function replaceContent(container, ...children) {
  const focused = container.contains(document.activeElement) ? document.activeElement : null;
  const key = focused?.getAttribute('data-testid') ?? focused?.id;
  container.replaceChildren(...children.flat().filter(Boolean));
  if (key) {
    const again = container.querySelector(
      `[data-testid="${CSS.escape(key)}"], #${CSS.escape(key)}`,
    );
    again?.focus();
  }
}

/** A `<dl>` of `[term, description, testid?]` rows; rows that are null are skipped. */
export function facts(rows, attrs = {}) {
  return h(
    'dl',
    { class: 'facts', ...attrs },
    rows
      .filter(Boolean)
      .map(([term, description, testid]) =>
        h('div', null, h('dt', null, term), h('dd', { 'data-testid': testid }, description)),
      ),
  );
}
