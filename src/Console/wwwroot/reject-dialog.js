// The reject-reason chooser (#reject-dialog): the reasons come from the server in its order; a digit key picks one and
// submits at once, except "other", which moves to the note; Enter submits, Esc closes.
import { h, isTypingTarget, hasCommandModifier } from './dom.js';
import { t } from './i18n.js';
import { vocabulary } from './vocabulary.js';

const OTHER = 'other'; // the reason that needs a note

/**
 * onSubmit({reason, note}) returns a promise; when it rejects with a message the dialog stays open and shows it.
 * Returns { element, open(), close(), isOpen() }.
 */
export function createRejectDialog(onSubmit) {
  const reasons = vocabulary().rejectReasons;
  const errorLine = h('p', { class: 'dialog-error', role: 'alert' });
  const noteInput = h('input', { type: 'text', id: 'reject-note', name: 'note', autocomplete: 'off', maxlength: '500', placeholder: t('reject.notePlaceholder') });
  const reasonInputs = reasons.map((reason) =>
    h('input', { type: 'radio', name: 'reason', value: reason, id: `reject-reason-${reason}` }));
  const submitButton = h('button', { type: 'submit', class: 'button danger' }, t('reject.submit'), ' ', h('kbd', {}, 'Enter'));

  const form = h('form', { class: 'reject-form', novalidate: true },
    h('fieldset', {},
      h('legend', {}, t('reject.reasons')),
      reasons.map((reason, index) => h('label', { class: 'reason-option', for: `reject-reason-${reason}` },
        reasonInputs[index], h('kbd', {}, String(index + 1)), ' ', t(`reject.${reason}`)))),
    h('label', { class: 'field', for: 'reject-note' }, h('span', { class: 'field-label' }, t('reject.note')), noteInput),
    errorLine,
    h('div', { class: 'dialog-buttons' },
      h('button', { type: 'button', class: 'button', onClick: () => close() }, t('reject.cancel'), ' ', h('kbd', {}, 'Esc')),
      submitButton));

  const dialog = h('dialog', { id: 'reject-dialog', class: 'dialog', 'aria-labelledby': 'reject-dialog-title' },
    h('h2', { id: 'reject-dialog-title' }, t('reject.title')),
    form);

  let submitting = false;

  function selectedReason() {
    return reasonInputs.find((input) => input.checked)?.value ?? null;
  }

  async function submit() {
    if (submitting) return;
    const reason = selectedReason();
    const note = noteInput.value.trim();
    if (!reason) return showError(t('reject.reasons'));
    if (reason === OTHER && !note) {
      noteInput.focus();
      return showError(t('error.note_required'));
    }
    submitting = true;
    submitButton.disabled = true;
    try {
      await onSubmit({ reason, note });
      close();
    } catch (error) {
      showError(error.message);
    } finally {
      submitting = false;
      submitButton.disabled = false;
    }
  }

  function pick(index) {
    const input = reasonInputs[index];
    if (!input) return;
    input.checked = true;
    if (reasons[index] === OTHER) noteInput.focus();
    else submit();
  }

  function showError(message) {
    errorLine.textContent = message;
  }

  function open() {
    form.reset();
    showError('');
    dialog.showModal();
    reasonInputs[0].focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  dialog.addEventListener('keydown', (event) => {
    if (hasCommandModifier(event) || event.isComposing) return;
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
    if (digit && !isTypingTarget(event.target)) {
      event.preventDefault();
      pick(Number(digit[1]) - 1);
    } else if (event.key === 'Enter' && event.target instanceof HTMLInputElement) {
      event.preventDefault(); // radios do not submit a form on Enter in every browser
      submit();
    }
    event.stopPropagation(); // the case view's shortcuts must not fire under the dialog
  });

  return { element: dialog, open, close, isOpen: () => dialog.open };
}
