// Users (/admin/users, admins only): the list of accounts and a form to create one.
import { h, replaceChildren } from './dom.js';
import { t, hasText } from './i18n.js';
import { getJson, postJson, describeError, isSilentError } from './api.js';
import { formatDateTime } from './format.js';
import { markReady } from './router.js';
import { showToast } from './toast.js';

export const ROLES = ['officer', 'engineer', 'admin'];

export function mountUsers(view, { footer }) {
  const screen = new UsersScreen(view);
  replaceChildren(footer);
  return () => screen.destroy();
}

export function roleName(role) {
  return hasText(`role.${role}`) ? t(`role.${role}`) : role;
}

class UsersScreen {
  constructor(view) {
    this.stopped = false;
    this.rendered = false;
    this.listArea = h('div', { class: 'table-scroll' }, h('p', { class: 'loading' }, t('app.loading')));
    this.listError = h('p', { class: 'error-box', role: 'alert', hidden: true });
    replaceChildren(view,
      h('section', { class: 'users-screen', 'aria-labelledby': 'users-heading' },
        h('div', { class: 'screen-heading' }, h('h1', { id: 'users-heading' }, t('users.title'))),
        h('div', { class: 'users-layout' },
          h('section', { 'aria-labelledby': 'users-list-heading' },
            h('h2', { id: 'users-list-heading', class: 'section-title' }, t('users.list')),
            this.listError,
            this.listArea),
          this.buildCreateForm())));
    document.title = `${t('users.title')} · Vision`;
    this.load();
  }

  destroy() {
    this.stopped = true;
  }

  async load() {
    try {
      const users = await getJson('/api/users');
      if (this.stopped) return;
      this.listError.hidden = true;
      replaceChildren(this.listArea, renderUserTable(users));
    } catch (error) {
      if (this.stopped || isSilentError(error)) return;
      this.listError.textContent = describeError(error);
      this.listError.hidden = false;
      replaceChildren(this.listArea);
    }
    if (!this.rendered) {
      this.rendered = true;
      markReady();
    }
  }

  buildCreateForm() {
    const input = (name, type, autocomplete) =>
      h('input', { id: `new-user-${name}`, name, type, autocomplete, required: true, maxlength: '100' });
    const fields = {
      username: input('username', 'text', 'off'),
      displayName: input('displayName', 'text', 'off'),
      role: h('select', { id: 'new-user-role', name: 'role', required: true }, ROLES.map((role) => h('option', { value: role }, roleName(role)))),
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

function renderUserTable(users) {
  if (!users.length) return h('p', { class: 'muted' }, t('users.empty'));
  return h('table', { id: 'users', class: 'data-table' },
    h('thead', {}, h('tr', {},
      ['users.username', 'users.displayName', 'users.role', 'users.locked', 'users.failedSignIns']
        .map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, users.map((user) => {
      const locked = user.lockedUntil && Date.parse(user.lockedUntil) > Date.now();
      return h('tr', { 'data-username': user.username, class: locked ? 'locked' : '' },
        h('td', { class: 'mono' }, user.username),
        h('td', {}, user.displayName ?? ''),
        h('td', {}, roleName(user.role)),
        h('td', {}, locked
          ? h('span', { class: 'state-badge state-locked' }, t('users.lockedUntil', { time: formatDateTime(user.lockedUntil) }))
          : h('span', { class: 'muted' }, t('users.notLocked'))),
        h('td', { class: 'numeric' }, String(user.failedSignIns ?? 0)));
    })));
}
