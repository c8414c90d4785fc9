// The server's lists of wire codes (GET /api/vocabulary): case statuses, violation types, reject reasons, roles.
// Fetched once per page and kept; the shell waits for it before it mounts a screen, so screens read it synchronously.
import { getJson } from './api.js';

let loading = null;
let loaded = null;

/** Starts (or joins) the one request; a failed request is asked again on the next call. */
export function loadVocabulary() {
  loading ??= getJson('/api/vocabulary').then(
    (answer) => {
      loaded = Object.freeze(answer);
      return loaded;
    },
    (error) => {
      loading = null;
      throw error;
    });
  return loading;
}

/** The lists, once loadVocabulary() resolved. */
export function vocabulary() {
  if (!loaded) throw new Error('the vocabulary is read before /api/vocabulary answered');
  return loaded;
}
