// The queue filter (kept in the address bar) and the list of case ids the case view walks with J/K.
// The ids are kept client-side so moving to the next case needs no round trip; more pages are
// fetched only at either end of what is loaded.
import { getJson, toQuery } from './api.js';
import { vocabulary } from './vocabulary.js';

export const DEFAULT_STATUS = 'auto_captured';
export const PAGE_SIZE = 50;

const STORAGE_KEY = 'vision.queue';
const FILTER_KEYS = ['status', 'type', 'camera', 'zone', 'plate', 'from', 'to'];
// After the server had nothing more, wait before asking again (new cases keep arriving).
const EXHAUSTED_RETRY_MS = 10_000;

export function defaultFilter() {
  return { status: DEFAULT_STATUS, type: '', camera: '', zone: '', plate: '', from: '', to: '' };
}

/** Reads filter and page from a queue address's query ("?status=all&type=litter&page=2"). */
export function readQueueAddress(search) {
  const params = new URLSearchParams(search);
  const filter = defaultFilter();
  for (const key of FILTER_KEYS) {
    if (params.has(key)) filter[key] = params.get(key).trim();
  }
  if (filter.status === 'all') filter.status = '';
  else if (filter.status && !vocabulary().statuses.includes(filter.status)) filter.status = DEFAULT_STATUS;
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  return { filter, page };
}

/** The queue address for a filter and page; the default status and page 1 are left out. */
export function queueAddress(filter, page = 1) {
  const status = filter.status === DEFAULT_STATUS ? '' : filter.status || 'all';
  return `/${toQuery({ status, type: filter.type, camera: filter.camera, zone: filter.zone, plate: filter.plate, from: filter.from, to: filter.to, page: page > 1 ? page : '' })}`;
}

export function fetchCasePage(filter, page, pageSize = PAGE_SIZE, signal) {
  const query = toQuery({ ...pickFilter(filter), page, pageSize });
  return getJson(`/api/cases${query}`, { signal });
}

function pickFilter(filter) {
  const picked = {};
  for (const key of FILTER_KEYS) picked[key] = filter[key] ?? '';
  return picked;
}

/**
 * Offsets are positions in the server's newest-first list under the filter: firstOffset is where ids[0]
 * sits, nextOffset the first position not loaded yet. A decision that moves a case out of the filter
 * (confirming under "待审核") shifts every later case up by one, so nextOffset moves back with it.
 */
export class QueueContext {
  constructor({ filter, pageSize = PAGE_SIZE, ids = [], firstOffset = 0, nextOffset = 0, total = 0, departed = [] }) {
    this.filter = { ...defaultFilter(), ...filter };
    this.pageSize = pageSize;
    this.ids = ids.map(String);
    this.firstOffset = firstOffset;
    this.nextOffset = nextOffset;
    this.total = total;
    this.departed = new Set(departed);
    this.followingRequest = null;
    this.precedingRequest = null;
    this.exhaustedAt = 0;
  }

  /** The context of a queue page the officer is looking at. */
  static fromPage(filter, response) {
    const pageSize = response.pageSize || PAGE_SIZE;
    const offset = ((response.page || 1) - 1) * pageSize;
    return new QueueContext({
      filter,
      pageSize,
      ids: response.items.map((item) => item.caseId),
      firstOffset: offset,
      nextOffset: offset + response.items.length,
      total: response.total,
    });
  }

  /** The context saved by the queue in this tab, or an empty one for the default filter (case opened by link). */
  static restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
      if (saved && Array.isArray(saved.ids)) return new QueueContext(saved);
    } catch {
      // unreadable or disabled storage: start from the default queue
    }
    return new QueueContext({ filter: defaultFilter() });
  }

  save() {
    const { filter, pageSize, ids, firstOffset, nextOffset, total } = this;
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ filter, pageSize, ids, firstOffset, nextOffset, total, departed: [...this.departed] }));
    } catch {
      // the context still works for this page
    }
  }

  /** 1-based position of caseId in the server's list, or 0 when it is not in the loaded ids. */
  positionOf(caseId) {
    const index = this.ids.indexOf(caseId);
    if (index < 0) return 0;
    const departedBefore = this.ids.slice(0, index).filter((id) => this.departed.has(id)).length;
    return this.firstOffset + index - departedBefore + 1;
  }

  /** The queue page that holds caseId now, for going back to the queue. */
  pageOf(caseId) {
    const position = this.positionOf(caseId);
    return position ? Math.floor((position - 1) / this.pageSize) + 1 : 1;
  }

  /** The id after caseId (the first loaded one when caseId is not in the list), loading more at the end; null at the end. */
  async nextId(caseId) {
    let index = this.ids.indexOf(caseId);
    if (index + 1 >= this.ids.length) {
      await this.loadFollowing();
      index = this.ids.indexOf(caseId);
    }
    return this.ids[index + 1] ?? null;
  }

  /** The id before caseId, loading the previous page at the start; null at the start. */
  async previousId(caseId) {
    let index = this.ids.indexOf(caseId);
    if (index < 0) return null;
    if (index === 0) {
      await this.loadPreceding();
      index = this.ids.indexOf(caseId);
    }
    return index > 0 ? this.ids[index - 1] : null;
  }

  /** Records a decision; a case that left the filter shifts the unloaded part of the list up by one. */
  noteDecision(caseId, newStatus) {
    const leavesFilter = this.filter.status && newStatus !== this.filter.status;
    if (leavesFilter && this.ids.includes(caseId) && !this.departed.has(caseId)) {
      this.departed.add(caseId);
      this.nextOffset = Math.max(this.firstOffset, this.nextOffset - 1);
      this.total = Math.max(0, this.total - 1);
    }
    this.save();
  }

  loadFollowing() {
    if (Date.now() - this.exhaustedAt < EXHAUSTED_RETRY_MS) return Promise.resolve(false);
    this.followingRequest ??= this.fetchFollowing().finally(() => { this.followingRequest = null; });
    return this.followingRequest;
  }

  loadPreceding() {
    this.precedingRequest ??= this.fetchPreceding().finally(() => { this.precedingRequest = null; });
    return this.precedingRequest;
  }

  async fetchFollowing() {
    // A page can hold only cases already loaded (the list shifted under us): then try the page after it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const page = Math.floor(this.nextOffset / this.pageSize) + 1;
      const response = await fetchCasePage(this.filter, page, this.pageSize);
      this.total = response.total;
      this.nextOffset = page * this.pageSize;
      const fresh = this.unseen(response.items);
      if (fresh.length) {
        this.ids.push(...fresh);
        this.save();
        return true;
      }
      if (this.nextOffset >= response.total) break;
    }
    this.exhaustedAt = Date.now();
    this.save();
    return false;
  }

  async fetchPreceding() {
    for (let attempt = 0; attempt < 3 && this.firstOffset > 0; attempt++) {
      const page = Math.floor((this.firstOffset - 1) / this.pageSize) + 1;
      const response = await fetchCasePage(this.filter, page, this.pageSize);
      this.total = response.total;
      this.firstOffset = (page - 1) * this.pageSize;
      const fresh = this.unseen(response.items);
      if (fresh.length) {
        this.ids.unshift(...fresh);
        this.save();
        return true;
      }
    }
    this.save();
    return false;
  }

  unseen(items) {
    const known = new Set(this.ids);
    return items.map((item) => String(item.caseId)).filter((id) => !known.has(id));
  }
}
