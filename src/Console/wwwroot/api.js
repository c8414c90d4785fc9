// JSON API client: cookies, CSRF header on writes, 401 → sign-in page, errors as ApiError.
import { t, hasText } from './i18n.js';

/** Set once the user signs out: the sign-in page is on its way, so a request answered 401 meanwhile does not navigate again. */
let signingOut = false;

export class ApiError extends Error {
  /** status 0 means the server could not be reached. */
  constructor(status, body) {
    super(body && typeof body.error === 'string' ? body.error : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.code = body && typeof body.error === 'string' ? body.error : null;
    this.redirecting = false;
  }
}

// The console's camera list; /api/cameras is the pipeline's own operations endpoint with another shape.
export const CAMERAS_API = '/api/console/cameras';

let sessionPromise = null;

/** GET /api/session once per page (again with fresh: true); the CSRF token in it is sent on every write. */
export function loadSession({ fresh = false } = {}) {
  if (fresh) sessionPromise = null;
  sessionPromise ??= request('GET', '/api/session');
  return sessionPromise;
}

export function loginUrl(returnPath = location.pathname + location.search) {
  return `/login?returnUrl=${encodeURIComponent(returnPath)}`;
}

export const getJson = (path, options) => request('GET', path, options);
export const postJson = (path, body, options) => request('POST', path, { ...options, body: body ?? {} });
export const deleteJson = (path, options) => request('DELETE', path, options);

/** Sends a request; resolves with the parsed JSON body (null when empty), rejects with ApiError. */
export async function request(method, path, { body, signal, csrfRetried = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const isWrite = method !== 'GET' && method !== 'HEAD';
  if (isWrite) headers['X-CSRF-TOKEN'] = (await loadSession({ fresh: csrfRetried })).csrfToken;

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }

  const data = await readJsonBody(response);
  if (response.status === 401) {
    const error = new ApiError(401, data);
    error.redirecting = true;
    // Signing out already goes to the sign-in page: a second navigation would abort it.
    if (!signingOut) location.assign(loginUrl());
    throw error;
  }
  // The server refused the token before doing anything (it rotates with the session): fetch a new one, try once more.
  if (isWrite && response.status === 400 && data?.error === 'csrf' && !csrfRetried) {
    return request(method, path, { body, signal, csrfRetried: true });
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function readJsonBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Posts the sign-out and goes to the sign-in page whatever the answer (an expired session is signed out too). */
export async function signOut() {
  signingOut = true;
  try {
    const session = await loadSession();
    await fetch('/api/session/logout', {
      method: 'POST',
      headers: { 'X-CSRF-TOKEN': session.csrfToken },
      credentials: 'same-origin',
    });
  } catch {
    // nothing to undo: the sign-in page comes next either way
  }
  location.assign('/login');
}

/** The message to show for a failed request; server error codes are translated when the dictionary knows them. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return error && error.message ? error.message : String(error);
  if (error.status === 0) return t('error.network');
  if (error.code && hasText(`error.${error.code}`)) return t(`error.${error.code}`);
  if (error.status === 403) return t('error.forbidden');
  // The server's own words (English) follow a translated summary where one fits.
  if (error.status === 404) return withDetail(t('error.notFound'), error.code);
  if (error.status === 409) return withDetail(t('error.conflict'), error.code);
  if (error.code) return error.code;
  return t('error.http', { status: error.status });
}

function withDetail(summary, detail) {
  return detail ? `${summary}${t('app.colon')}${detail}` : summary;
}

/** True for errors the user should not see: aborted requests and the 401 that is already leaving for sign-in. */
export function isSilentError(error) {
  return (error && error.name === 'AbortError') || (error instanceof ApiError && error.redirecting);
}

/** Builds a query string from an object, leaving out empty values. */
export function toQuery(params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}
