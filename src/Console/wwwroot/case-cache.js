// Case JSON fetched ahead of need (next case, selected queue row) and images warmed in the browser cache.
import { getJson } from './api.js';

// Evidence links in a case are signed and short-lived (evidence.store.presign_expiry, 1 s to 7 days): a cached case is
// reused only while its earliest link has this much life left, and never longer than MAX_AGE_MS.
const MAX_AGE_MS = 60_000;
const LINK_MARGIN_MS = 5_000;
const MAX_ENTRIES = 20;

const entries = new Map(); // caseId → { promise, at, linksExpireAt }
const warmingImages = new Set(); // keeps Image objects alive until they have loaded

export function caseUrl(caseId) {
  return `/api/cases/${encodeURIComponent(caseId)}`;
}

/** The case, from the cache when fresh enough, otherwise fetched (concurrent callers share one request). */
export function loadCase(caseId, { fresh = false } = {}) {
  const entry = entries.get(caseId);
  const now = Date.now();
  if (!fresh && entry && now - entry.at < MAX_AGE_MS && now + LINK_MARGIN_MS < entry.linksExpireAt) return entry.promise;
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
  const entry = { promise, at: Date.now(), linksExpireAt: Infinity };
  entries.set(caseId, entry);
  promise.then((caseData) => { entry.linksExpireAt = earliestLinkExpiry(caseData); }, () => {});
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value);
}

/** When the first of the case's evidence links stops working (their `exp` is in Unix seconds); Infinity without links. */
function earliestLinkExpiry(caseData) {
  const urls = [caseData?.clip?.url, ...casePhotoUrls(caseData ?? {})].filter(Boolean);
  let earliest = Infinity;
  for (const url of urls) {
    const exp = Number(new URL(url, location.origin).searchParams.get('exp'));
    if (Number.isFinite(exp) && exp > 0) earliest = Math.min(earliest, exp * 1000);
  }
  return earliest;
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
