// The "change the decision?" dialog (#change-dialog): a case that was already confirmed or rejected changes only
// when the reviewer confirms it here and says why; both go into the case's history.
import { h } from './dom.js';
import { t, statusName } from './i18n.js';
import { formatDateTime } from './format.js';

/** Returns { element, ask(caseData, decision, offset) → Promise<string|null> (the reason, or null when cancelled), isOpen() }. */
export function createChangeDialog() {
  const message = h('p', { id: 'change-message' });
  const reasonInput = h('textarea', { id: 'change-reason', name: 'changeReason', rows: '3', maxlength: '500', required: true });
  const errorLine = h('p', { class: 'dialog-error', role: 'alert' });
  const form = h('form', { class: 'change-form', novalidate: true },
    message,
    h('label', { class: 'field', for: 'change-reason' }, h('span', { class: 'field-label' }, t('change.reason')), reasonInput),
    errorLine,
    h('div', { class: 'dialog-buttons' },
      h('button', { type: 'button', class: 'button', onClick: () => finish(null) }, t('change.cancel'), ' ', h('kbd', {}, 'Esc')),
      h('button', { type: 'submit', id: 'change-submit', class: 'button danger' }, t('change.submit'))));
  const dialog = h('dialog', { id: 'change-dialog', class: 'dialog', 'aria-labelledby': 'change-dialog-title' },
    h('h2', { id: 'change-dialog-title' }, t('change.title')), form);

  let resolve = null;

  function finish(reason) {
    if (dialog.open) dialog.close();
    const done = resolve;
    resolve = null;
    done?.(reason);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = reasonInput.value.trim();
    if (!reason) {
      errorLine.textContent = t('change.reasonRequired');
      reasonInput.focus();
      return;
    }
    finish(reason);
  });
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(null); }); // Esc
  dialog.addEventListener('keydown', (event) => {
    // Enter in the reason submits (Shift+Enter for a new line); the case view's shortcuts must not fire under the dialog.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.target === reasonInput) {
      event.preventDefault();
      form.requestSubmit();
    }
    event.stopPropagation();
  });

  function ask(caseData, decision, offset) {
    const last = [...(caseData.history ?? [])].reverse().find((entry) => entry.status === caseData.status);
    message.textContent = t('change.body', {
      status: statusName(caseData.status),
      actor: last?.actor ?? t('case.system'),
      time: last ? formatDateTime(last.at, offset) : '',
      decision: statusName(decision),
    });
    form.reset();
    errorLine.textContent = '';
    dialog.showModal();
    reasonInput.focus();
    return new Promise((done) => { resolve = done; });
  }

  return { element: dialog, ask, isOpen: () => dialog.open };
}
