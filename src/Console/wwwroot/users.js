// Users (/admin/users, admins only): the accounts with their state and open sessions, what an admin can do to each
// (role, disable / enable, reset password, end sessions, delete), a form to create one, and the audit of changes.
import { h, replaceChildren } from './dom.js';
import { t, hasText } from './i18n.js';
import { getJson, postJson, deleteJson, describeError, isSilentError } from './api.js';
import { formatDateTime } from './format.js';
import { Screen } from './screen.js';
import { showToast } from './toast.js';
import { vocabulary } from './vocabulary.js';


export function mountUsers(view, { footer }) {
  const screen = new UsersScreen(view, footer);
  return () => screen.destroy();
}

export function roleName(role) {
  return hasText(`role.${role}`) ? t(`role.${role}`) : role;
}

function actionName(action) {
  return hasText(`users.action.${action}`) ? t(`users.action.${action}`) : action;
}

const userPath = (username) => `/api/users/${encodeURIComponent(username)}`;

class UsersScreen {
  constructor(view, footer) {
    this.screen = new Screen(view, footer, { name: 'users', title: t('users.title') });
    this.listArea = h('div', { class: 'table-scroll' }, h('p', { class: 'loading' }, t('app.loading')));
    this.changesArea = h('div', { class: 'table-scroll' });
    this.resetDialog = new ResetPasswordDialog((username) => this.afterChange(t('users.passwordResetDone', { username })));
    this.screen.show(
      this.screen.section(
        h('div', { class: 'users-layout' },
          h('section', { 'aria-labelledby': 'users-list-heading' },
            h('h2', { id: 'users-list-heading', class: 'section-title' }, t('users.list')),
            this.screen.errorLine,
            this.listArea),
          this.buildCreateForm()),
        h('section', { 'aria-labelledby': 'users-changes-heading' },
          h('h2', { id: 'users-changes-heading', class: 'section-title' }, t('users.changes')),
          this.changesArea)),
      this.resetDialog.element);
    this.load();
  }

  destroy() {
    this.screen.stop();
  }

  async load() {
    try {
      const [users, changes] = await Promise.all([getJson('/api/users'), getJson('/api/users/changes?limit=50')]);
      if (this.screen.stopped) return;
      replaceChildren(this.listArea, this.renderUserTable(users));
      replaceChildren(this.changesArea, renderChanges(changes));
    } catch (error) {
      if (!this.screen.showError(error)) return;
      replaceChildren(this.listArea);
    }
    this.screen.ready();
  }

  afterChange(message) {
    showToast(message, 'success');
    this.load();
  }

  /** Runs one account change; a refusal (the last admin, say) is shown above the list and the list reloads as it is. */
  async change(run, message) {
    this.screen.hideError();
    try {
      await run();
      this.afterChange(message);
    } catch (error) {
      if (isSilentError(error)) return;
      await this.load(); // the list as it is (a role select back to the role kept)
      this.screen.showError(error);
    }
  }

  renderUserTable(users) {
    if (!users.length) return h('p', { class: 'muted' }, t('users.empty'));
    return h('table', { id: 'users', class: 'data-table' },
      h('thead', {}, h('tr', {},
        ['users.username', 'users.displayName', 'users.role', 'users.status', 'users.failedSignIns', 'users.sessions', 'users.actions']
          .map((key) => h('th', { scope: 'col' }, t(key))))),
      h('tbody', {}, users.map((user) => this.renderUserRow(user))));
  }

  renderUserRow(user) {
    const name = user.username;
    const locked = user.lockedUntil && Date.parse(user.lockedUntil) > Date.now();
    const roleSelect = h('select', { class: 'user-role', 'aria-label': `${t('users.role')} ${name}` },
      vocabulary().roles.map((role) => h('option', { value: role, selected: role === user.role }, roleName(role))));
    roleSelect.addEventListener('change', () => this.change(
      () => postJson(`${userPath(name)}/role`, { role: roleSelect.value }),
      t('users.roleChanged', { username: name, role: roleName(roleSelect.value) })));
    const button = (action, label, onClick, extra = '') =>
      h('button', { type: 'button', class: `button small ${extra}`.trim(), dataset: { action }, onClick }, label);
    const actions = [
      user.enabled
        ? button('disable', t('users.disable'), () => this.change(() => postJson(`${userPath(name)}/disable`), t('users.disabledDone', { username: name })))
        : button('enable', t('users.enable'), () => this.change(() => postJson(`${userPath(name)}/enable`), t('users.enabledDone', { username: name }))),
      button('reset-password', t('users.resetPassword'), () => this.resetDialog.open(name)),
      button('end-sessions', t('users.endSessions'), () => {
        if (confirm(t('users.confirmEndSessions', { username: name }))) {
          this.change(() => deleteJson(`${userPath(name)}/sessions`), t('users.sessionsEnded', { username: name }));
        }
      }),
      button('delete', t('users.delete'), () => {
        if (confirm(t('users.confirmDelete', { username: name }))) {
          this.change(() => deleteJson(userPath(name)), t('users.deleted', { username: name }));
        }
      }, 'danger'),
    ];
    let state;
    if (!user.enabled) state = h('span', { class: 'state-badge state-disabled' }, t('users.disabled'));
    else if (locked) state = h('span', { class: 'state-badge state-locked' }, t('users.lockedUntil', { time: formatDateTime(user.lockedUntil) }));
    else state = h('span', { class: 'muted' }, t('users.enabled'));
    return h('tr', { 'data-username': name, 'data-enabled': String(user.enabled), class: !user.enabled ? 'disabled' : locked ? 'locked' : '' },
      h('td', { class: 'mono' }, name),
      h('td', {}, user.displayName ?? ''),
      h('td', {}, roleSelect),
      h('td', {}, state),
      h('td', { class: 'numeric' }, String(user.failedSignIns ?? 0)),
      h('td', { class: 'numeric user-sessions' }, String(user.sessions ?? 0)),
      h('td', {}, h('div', { class: 'user-actions' }, actions)));
  }

  buildCreateForm() {
    const input = (name, type, autocomplete) =>
      h('input', { id: `new-user-${name}`, name, type, autocomplete, required: true, maxlength: '100' });
    const fields = {
      username: input('username', 'text', 'off'),
      displayName: input('displayName', 'text', 'off'),
      role: h('select', { id: 'new-user-role', name: 'role', required: true }, vocabulary().roles.map((role) => h('option', { value: role }, roleName(role)))),
      password: input('password', 'password', 'new-password'),
    };
    const errorLine = h('p', { class: 'form-error', role: 'alert' });
    const submitButton = h('button', { type: 'submit', class: 'button primary' }, t('users.createSubmit'));
    const field = (name, labelKey) => h('label', { class: 'field', for: `new-user-${name}` }, h('span', { class: 'field-label' }, t(labelKey)), fields[name]);

    const form = h('form', { id: 'create-user-form', class: 'panel stacked-form', 'aria-labelledby': 'create-user-heading' },
      h('h2', { id: 'create-user-heading', class: 'section-title' }, t('users.create')),
      field('username', 'users.username'),
      field('displayName', 'users.displayName'),
      field('role', 'users.role'),
      field('password', 'users.password'),
      errorLine,
      submitButton);

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const user = {
        username: fields.username.value.trim(),
        displayName: fields.displayName.value.trim(),
        role: fields.role.value,
        password: fields.password.value,
      };
      errorLine.textContent = '';
      submitButton.disabled = true;
      try {
        await postJson('/api/users', user);
        form.reset();
        showToast(t('users.created', { username: user.username }), 'success');
        fields.username.focus();
        this.load();
      } catch (error) {
        if (!isSilentError(error)) errorLine.textContent = describeError(error);
      } finally {
        submitButton.disabled = false;
      }
    });
    return form;
  }
}

/** The admin's "reset password" dialog: one new password for the account, then its sessions end. */
class ResetPasswordDialog {
  constructor(onDone) {
    this.username = null;
    this.title = h('h2', { id: 'reset-password-title' });
    this.password = h('input', { id: 'reset-password-input', type: 'password', autocomplete: 'new-password', required: true, maxlength: '200' });
    this.errorLine = h('p', { class: 'dialog-error', role: 'alert' });
    this.submitButton = h('button', { type: 'submit', class: 'button primary' }, t('users.save'));
    const form = h('form', { class: 'stacked-form' },
      h('label', { class: 'field', for: 'reset-password-input' }, h('span', { class: 'field-label' }, t('users.newPassword')), this.password),
      h('p', { class: 'muted' }, t('account.hint')),
      this.errorLine,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'button', onClick: () => this.element.close() }, t('users.cancel')),
        this.submitButton));
    this.element = h('dialog', { id: 'reset-password-dialog', class: 'dialog', 'aria-labelledby': 'reset-password-title' }, this.title, form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      this.submitButton.disabled = true;
      try {
        await postJson(`${userPath(this.username)}/password`, { password: this.password.value });
        this.element.close();
        onDone(this.username);
      } catch (error) {
        if (!isSilentError(error)) this.errorLine.textContent = describeError(error);
      } finally {
        this.submitButton.disabled = false;
      }
    });
  }

  open(username) {
    this.username = username;
    this.title.textContent = t('users.resetTitle', { username });
    this.password.value = '';
    this.errorLine.textContent = '';
    this.element.showModal();
    this.password.focus();
  }
}

function renderChanges(changes) {
  if (!changes.length) return h('p', { class: 'muted' }, t('users.noChanges'));
  return h('table', { id: 'account-changes', class: 'data-table' },
    h('thead', {}, h('tr', {},
      ['users.changeAt', 'users.changeActor', 'users.changeAddress', 'users.changeAction', 'users.changeUser', 'users.changeDetail']
        .map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, changes.map((change) => h('tr', { dataset: { action: change.action } },
      h('td', {}, formatDateTime(change.at)),
      h('td', { class: 'mono' }, change.actor),
      h('td', { class: 'mono' }, change.address ?? ''),
      h('td', {}, actionName(change.action)),
      h('td', { class: 'mono' }, change.username),
      h('td', {}, change.detail ?? '')))));
}
