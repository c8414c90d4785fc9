// The server's case change feed (GET /api/events, server-sent events), shared by the screens of this page.
// EventSource reconnects by itself (sending the last event id, so nothing is missed); a refused reconnect
// (401 after the session ended) or the server's "signed_out" event goes to the sign-in page.
import { loadSession, loginUrl } from './api.js';

const listeners = new Set();
let source = null;

/** Calls onChange({caseId, cameraId, status, added}) for every case added or changed; returns the unsubscribe function. */
export function onCaseChange(onChange) {
  listeners.add(onChange);
  open();
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) close();
  };
}

function open() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events');
  source.addEventListener('case', (event) => {
    let change;
    try {
      change = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const listener of [...listeners]) listener(change);
  });
  source.addEventListener('signed_out', () => {
    close();
    location.assign(loginUrl());
  });
  source.addEventListener('error', () => {
    // CLOSED means the browser gave up (the server refused the stream): find out whether the session ended.
    if (source?.readyState === EventSource.CLOSED) {
      close();
      loadSession({ fresh: true }).catch(() => {}); // a 401 there goes to the sign-in page
    }
  });
}

function close() {
  source?.close();
  source = null;
}
