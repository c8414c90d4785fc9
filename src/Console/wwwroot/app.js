// The console shell: header (nav by role, user, language, sign-out) and the client-side router.
import { h, replaceChildren } from './dom.js';
import { t, getLanguage, toggleLanguage, applyDocumentLanguage, translateStatic } from './i18n.js';
import { loadSession, signOut, describeError, isSilentError } from './api.js';
import { onRouteChange, navigate, markLoading, markReady } from './router.js';
import { mountQueue } from './queue.js';
import { mountCaseView } from './case-view.js';
import { mountCameras } from './cameras.js';
import { mountMap } from './map.js';
import { mountRules } from './rules.js';
import { mountUsers } from './users.js';
import { mountAccount } from './account.js';
import { mountZones } from './zones.js';
import { loadVocabulary } from './vocabulary.js';

// The roles that may open a screen, as the server's page policies allow them; null: every signed-in role.
const ENGINEERS = ['engineer', 'admin'];
const ADMINS = ['admin'];

const ROUTES = [
  { pattern: /^\/$/, nav: 'queue', roles: null, mount: mountQueue },
  { pattern: /^\/cases\/([^/]+)\/?$/, nav: 'queue', roles: null, mount: mountCaseView, params: (match) => ({ id: decodeURIComponent(match[1]) }) },
  { pattern: /^\/map\/?$/, nav: 'map', roles: null, mount: mountMap },
  { pattern: /^\/cameras\/?$/, nav: 'cameras', roles: ENGINEERS, mount: mountCameras },
  { pattern: /^\/zones\/([^/]+)\/?$/, nav: 'cameras', roles: ENGINEERS, mount: mountZones, params: (match) => ({ id: decodeURIComponent(match[1]) }) },
  { pattern: /^\/rules\/?$/, nav: 'rules', roles: ENGINEERS, mount: mountRules },
  { pattern: /^\/admin\/users\/?$/, nav: 'users', roles: ADMINS, mount: mountUsers },
  { pattern: /^\/account\/?$/, nav: null, roles: null, mount: mountAccount },
];

// Paths the shell must leave to the browser: other pages and the server's own endpoints.
const SERVER_PATHS = /^\/(?:login|api|assets)(?:[/?#]|$)/;

const view = document.getElementById('view');
const footer = document.getElementById('keys-footer');
let unmountScreen = null;
let routeToken = 0;
let sessionPromise = null;

function start() {
  applyDocumentLanguage();
  translateStatic();
  renderLanguageToggle();
  sessionPromise = loadSession();
  loadVocabulary().catch(() => {}); // asked for with the session; a failure shows when a screen needs it
  sessionPromise.then(renderHeader, (error) => {
    if (!isSilentError(error)) document.getElementById('user-name').textContent = describeError(error);
  });

  document.getElementById('lang-toggle').addEventListener('click', switchLanguage);
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  document.addEventListener('click', followInAppLink);
  window.addEventListener('popstate', renderRoute);
  onRouteChange(renderRoute);
  renderRoute();
}

function renderHeader(session) {
  const userName = document.getElementById('user-name');
  userName.textContent = t('header.signedInAs', { name: session.displayName || session.username });
  userName.title = t('header.account');
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.closest('li').hidden = !mayOpen(ROUTES.find((route) => route.nav === link.dataset.nav), session.role);
  }
}

function mayOpen(route, role) {
  return route.roles === null || route.roles.includes(role);
}

function renderLanguageToggle() {
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = t('header.switchLanguage');
  toggle.setAttribute('aria-label', t('header.switchLanguageLabel'));
  toggle.lang = getLanguage() === 'zh' ? 'en' : 'zh-CN'; // the button is written in the other language
}

function switchLanguage() {
  toggleLanguage();
  translateStatic();
  renderLanguageToggle();
  sessionPromise.then(renderHeader, () => {});
  renderRoute();
}

function matchRoute(pathname) {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match) return { route, params: route.params ? route.params(match) : {} };
  }
  return null;
}

async function renderRoute() {
  const token = ++routeToken;
  unmountScreen?.();
  unmountScreen = null;
  markLoading();
  replaceChildren(footer);
  replaceChildren(view, h('p', { class: 'loading' }, t('app.loading')));

  const matched = matchRoute(location.pathname);
  markActiveNav(matched?.route.nav);
  if (!matched) return showMessage(t('error.notFound'));

  // Every screen reads the server's lists; screens not open to every role also wait for the role.
  let session = null;
  try {
    [session] = await Promise.all([matched.route.roles === null ? null : sessionPromise, loadVocabulary()]);
  } catch (error) {
    if (token === routeToken && !isSilentError(error)) showMessage(describeError(error));
    return;
  }
  if (token !== routeToken) return;
  if (session && !mayOpen(matched.route, session.role)) return showMessage(t('error.forbidden'));
  unmountScreen = matched.route.mount(view, { params: matched.params, footer });
}

function showMessage(message) {
  replaceChildren(view, h('div', { class: 'error-box page-message', role: 'alert' }, message));
  document.title = `${message} · Vision`;
  markReady();
}

function markActiveNav(navName) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === navName) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** Plain clicks on links within the console change the route without reloading the page. */
function followInAppLink(event) {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
  if (link.getAttribute('href').startsWith('#')) return; // in-page anchors such as the skip link
  const path = link.pathname + link.search;
  if (SERVER_PATHS.test(link.pathname)) return;
  event.preventDefault();
  if (path !== location.pathname + location.search) navigate(path);
}

start();
