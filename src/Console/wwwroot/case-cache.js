// Case JSON fetched ahead of need (next case, selected queue row) and images warmed in the browser cache.
import { getJson } from './api.js';

// Evidence links in a case are signed and short-lived; do not reuse a case fetched longer ago than this.
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 20;

const entries = new Map(); // caseId → { promise, at }
const warmingImages = new Set(); // keeps Image objects alive until they have loaded

export function caseUrl(caseId) {
  return `/api/cases/${encodeURIComponent(caseId)}`;
}

/** The case, from the cache when fresh enough, otherwise fetched (concurrent callers share one request). */
export function loadCase(caseId, { fresh = false } = {}) {
  const entry = entries.get(caseId);
  if (!fresh && entry && Date.now() - entry.at < MAX_AGE_MS) return entry.promise;
  const promise = getJson(caseUrl(caseId));
  remember(caseId, promise);
  promise.catch(() => { if (entries.get(caseId)?.promise === promise) entries.delete(caseId); });
  return promise;
}

/** Stores a case the server just returned (after confirm/reject). */
export function rememberCase(caseData) {
  remember(String(caseData.caseId), Promise.resolve(caseData));
}

function remember(caseId, promise) {
  entries.delete(caseId);
  entries.set(caseId, { promise, at: Date.now() });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value);
}

/** Starts downloading images so that showing them later is instant. */
export function warmImages(urls) {
  for (const url of urls) {
    if (!url) continue;
    const image = new Image();
    image.decoding = 'async';
    const done = () => warmingImages.delete(image);
    image.addEventListener('load', done, { once: true });
    image.addEventListener('error', done, { once: true });
    warmingImages.add(image);
    image.src = url;
  }
}

export function casePhotoUrls(caseData) {
  return (caseData.photos ?? []).map((photo) => photo.url);
}
