// Client-side navigation between the console's routes, without reloading the page.
let routeChangeHandler = () => {};

export function onRouteChange(handler) {
  routeChangeHandler = handler;
}

/** Goes to path (with query) in this page; replace keeps the history entry (J/K between cases). */
export function navigate(path, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  routeChangeHandler();
}

/** Changes the address bar only (filters, page) without re-rendering. */
export function updateAddress(path) {
  history.replaceState(history.state, '', path);
}

/** Marks the page as rendered for tests that measure time-to-interactive. */
export function markReady() {
  window.visionReady = true;
  document.body.dataset.ready = '1';
}

export function markLoading() {
  window.visionReady = false;
  document.body.dataset.ready = '0';
}
