// Small DOM helpers. Everything is built with textContent/attributes, never innerHTML,
// so names and notes that come from the server cannot inject markup.
import { t } from './i18n.js';

/**
 * Creates an element. props: "class", "text", "dataset" (object), "on<Event>" (listener),
 * boolean attributes as true/false, anything else as an attribute. null/undefined props are skipped.
 * children: nodes, strings, arrays of them; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  appendChildren(element, children);
  return element;
}

function appendChildren(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces all children of element. */
export function replaceChildren(element, ...children) {
  element.textContent = '';
  appendChildren(element, children);
}

/** True when a key press is meant for a text field, so single-key shortcuts must not fire. */
export function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
  }
  return false;
}

/** True when the key press carries a modifier that belongs to the browser or OS (Ctrl+C, Alt+←…). */
export function hasCommandModifier(event) {
  return event.ctrlKey || event.metaKey || event.altKey;
}

/** Appends a cache-busting parameter, except to presigned object-store links whose signature covers the query. */
export function withCacheBust(url, stamp) {
  if (!url || /[?&]X-Amz-Signature=/i.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}t=${stamp}`;
}

/** The footer's list of shortcuts: [[key label, dictionary key of what it does], …]. */
export function keyHints(hints) {
  return h('ul', { class: 'key-hints', 'aria-label': t('keys.title') },
    hints.map(([keyLabel, textKey]) => h('li', {}, h('kbd', {}, keyLabel), ' ', t(textKey))));
}

/**
 * Runs the action a shortcut key maps to (keyAction returns a function or nothing), unless a modifier, an IME
 * composition or a text field owns the key; Escape in a text field leaves it.
 */
export function runShortcut(event, keyAction) {
  if (event.defaultPrevented || hasCommandModifier(event) || event.isComposing) return;
  if (isTypingTarget(event.target)) {
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  const action = keyAction(event);
  if (!action) return;
  event.preventDefault();
  action();
}
