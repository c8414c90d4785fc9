// The sign-in page: POST /api/session, then back to where the user was going.
import { t, getLanguage, toggleLanguage, applyDocumentLanguage, translateStatic } from './i18n.js';
import { formatDateTime } from './format.js';

const form = document.getElementById('login-form');
const usernameInput = document.getElementById('username');
const passwordInput = document.getElementById('password');
const errorLine = document.getElementById('login-error');
const submitButton = document.getElementById('login-submit');
const languageToggle = document.getElementById('lang-toggle');

let lastError = null; // { key, params } so a language switch re-translates it

// A path on this site in plain URL characters, nothing else (the server applies the same rule, LocalReturnPath):
// browsers drop tabs and newlines and read a backslash as "/", so "/%09/evil.host" or "/%5Cevil.host" would leave the site.
const SAFE_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*$/;

/** Where to go after signing in: a local path, else "/" (never another site: an open redirect). */
export function safeReturnUrl(returnUrl) {
  if (typeof returnUrl !== 'string' || returnUrl.length > 2048 || !SAFE_PATH.test(returnUrl)) return '/';
  if (/^\/login(?:[/?#]|$)/i.test(returnUrl)) return '/';
  return returnUrl;
}

const requestedReturnUrl = () => new URLSearchParams(location.search).get('returnUrl');

function render() {
  applyDocumentLanguage();
  translateStatic();
  document.title = t('login.title');
  languageToggle.textContent = t('header.switchLanguage');
  languageToggle.setAttribute('aria-label', t('header.switchLanguageLabel'));
  languageToggle.lang = getLanguage() === 'zh' ? 'en' : 'zh-CN'; // the button is written in the other language
  errorLine.textContent = lastError ? t(lastError.key, lastError.params) : '';
  if (submitButton.disabled) submitButton.textContent = t('login.submitting');
}

function showError(key, params) {
  lastError = { key, params };
  render();
}

async function signIn(event) {
  event.preventDefault();
  const username = usernameInput.value.trim();
  const password = passwordInput.value;
  if (!username || !password) {
    showError('login.missingFields');
    (username ? passwordInput : usernameInput).focus();
    return;
  }
  submitButton.disabled = true;
  lastError = null;
  render();
  try {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ username, password, returnUrl: requestedReturnUrl() }),
    });
    if (response.ok) {
      const body = await response.json().catch(() => null);
      location.assign(safeReturnUrl(body?.returnUrl ?? requestedReturnUrl()));
      return;
    }
    await showFailure(response);
  } catch {
    showError('error.network');
  }
  submitButton.disabled = false;
  submitButton.textContent = t('login.submit');
}

async function showFailure(response) {
  const body = await response.json().catch(() => null);
  if (body?.error === 'too_many_attempts') {
    showError('login.tooManyAttempts', { minutes: Math.max(1, Math.ceil((body.retryAfterSeconds ?? 60) / 60)) });
  } else if (body?.error === 'locked') {
    const until = body.lockedUntil ? formatDateTime(body.lockedUntil) : '';
    showError(until ? 'login.locked' : 'login.lockedNoTime', { time: until });
  } else if (body?.error === 'disabled') {
    showError('login.disabled');
  } else if (body?.error === 'wrong_credentials' || response.status === 401) {
    showError('login.wrongCredentials');
    passwordInput.select();
  } else {
    showError('error.http', { status: response.status });
  }
  passwordInput.focus();
}

form.addEventListener('submit', signIn);
languageToggle.addEventListener('click', () => {
  toggleLanguage();
  render();
});
render();
