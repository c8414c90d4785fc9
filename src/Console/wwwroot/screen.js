// The frame every console screen shares: the footer's key hints (or none), the tab title, the section named by its h1
// with the heading row, one error line, and "rendered" marked for tests — but never by a screen already left.
import { h, replaceChildren, keyHints } from './dom.js';
import { describeError, isSilentError } from './api.js';
import { markReady } from './router.js';

export class Screen {
  /**
   * name: "cameras" gives section.cameras-screen labelled by h1#cameras-heading. aside: nodes beside the h1.
   * hiddenHeading: the h1 is for screen readers only and stands alone. keys: [[key label, dictionary key], …] for the footer.
   */
  constructor(view, footer, { name = null, title = null, aside = [], hiddenHeading = false, keys = null, errorId = null } = {}) {
    this.view = view;
    this.name = name;
    this.stopped = false;
    this.heading = name ? h('h1', { id: `${name}-heading`, class: hiddenHeading ? 'visually-hidden' : null }, title) : null;
    this.headingRow = !this.heading || hiddenHeading ? this.heading : h('div', { class: 'screen-heading' }, this.heading, aside);
    this.errorLine = h('p', { class: 'error-box', id: errorId, role: 'alert', hidden: true });
    replaceChildren(footer, keys ? keyHints(keys) : []);
    if (title) this.setTitle(title);
  }

  /** The tab's title: "what · Vision". */
  setTitle(title) {
    document.title = `${title} · Vision`;
  }

  /** The screen's section: heading row, then children. */
  section(...children) {
    return h('section', { class: `${this.name}-screen`, 'aria-labelledby': `${this.name}-heading` }, this.headingRow, children);
  }

  /** Replaces what the view shows. */
  show(...nodes) {
    replaceChildren(this.view, nodes);
  }

  /** Shows why a request failed, unless the screen was left or the error is one nobody should see; true when shown. */
  showError(error) {
    if (this.stopped || isSilentError(error)) return false;
    this.showMessage(describeError(error));
    return true;
  }

  showMessage(message) {
    this.errorLine.textContent = message;
    this.errorLine.hidden = !message;
  }

  hideError() {
    this.errorLine.hidden = true;
  }

  /** Marks the page rendered (tests wait for it); a screen already left marks nothing. */
  ready() {
    if (!this.stopped) markReady();
  }

  stop() {
    this.stopped = true;
  }
}
