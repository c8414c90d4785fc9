// My account (/account, every role): change one's own password with the current one; sessions elsewhere end.
import { h } from './dom.js';
import { t } from './i18n.js';
import { postJson, describeError, isSilentError } from './api.js';
import { showToast } from './toast.js';
import { Screen } from './screen.js';

export function mountAccount(view, { footer }) {
  const screen = new Screen(view, footer, { name: 'account', title: t('account.title') });
  const input = (name, autocomplete) => h('input', { id: `account-${name}`, name, type: 'password', autocomplete, required: true, maxlength: '200' });
  const fields = {
    current: input('current', 'current-password'),
    next: input('next', 'new-password'),
    repeat: input('repeat', 'new-password'),
  };
  const field = (name, labelKey) => h('label', { class: 'field', for: `account-${name}` }, h('span', { class: 'field-label' }, t(labelKey)), fields[name]);
  const errorLine = h('p', { class: 'form-error', role: 'alert' });
  const submitButton = h('button', { type: 'submit', class: 'button primary' }, t('account.submit'));
  const form = h('form', { id: 'change-password-form', class: 'panel stacked-form', 'aria-labelledby': 'change-password-heading' },
    h('h2', { id: 'change-password-heading', class: 'section-title' }, t('account.changePassword')),
    field('current', 'account.currentPassword'),
    field('next', 'account.newPassword'),
    field('repeat', 'account.repeatPassword'),
    h('p', { class: 'muted' }, t('account.hint')),
    errorLine,
    submitButton);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorLine.textContent = '';
    if (fields.next.value !== fields.repeat.value) {
      errorLine.textContent = t('account.mismatch');
      fields.repeat.focus();
      return;
    }
    submitButton.disabled = true;
    try {
      await postJson('/api/session/password', { currentPassword: fields.current.value, newPassword: fields.next.value });
      form.reset();
      showToast(t('account.changed'), 'success');
    } catch (error) {
      if (!isSilentError(error)) errorLine.textContent = describeError(error);
    } finally {
      submitButton.disabled = false;
    }
  });
  screen.show(screen.section(form));
  screen.ready();
  return () => screen.stop();
}
