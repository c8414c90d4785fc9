// The review queue (/): status tabs with counts, filters, one server page of cases, keyboard selection.
import { h, replaceChildren, hasCommandModifier, runShortcut, keyHints } from './dom.js';
import { t, violationName, zoneLabel } from './i18n.js';
import { getJson, describeError, isSilentError, CAMERAS_API } from './api.js';
import { formatLocalIso, formatPercent, toLocalInputValue, fromLocalInputValue } from './format.js';
import { STATUSES, VIOLATIONS, PAGE_SIZE, QueueContext, readQueueAddress, queueAddress, fetchCasePage } from './queue-context.js';
import { loadCase, warmImages, casePhotoUrls } from './case-cache.js';
import { statusBadge } from './case-render.js';
import { navigate, updateAddress, markReady } from './router.js';

const TEXT_FILTER_DELAY_MS = 400;
const PREFETCH_DELAY_MS = 150;

export function mountQueue(view, { footer }) {
  const screen = new QueueScreen(view, footer);
  return () => screen.destroy();
}

class QueueScreen {
  constructor(view, footer) {
    const { filter, page } = readQueueAddress(location.search);
    this.view = view;
    this.filter = filter;
    this.page = page;
    this.response = null;
    this.rows = [];
    this.selectedIndex = 0;
    this.focusCaseId = history.state?.focusCaseId ?? null;
    this.rendered = false;
    this.abortController = null;
    this.textFilterTimer = 0;
    this.prefetchTimer = 0;

    this.build();
    replaceChildren(footer, keyHints([
      ['↓ J', 'keys.queue.move'], ['↑ K', 'keys.queue.move'], ['Enter', 'keys.queue.open'],
      ['[ ]', 'keys.queue.page'], ['/', 'keys.queue.filter'],
    ]));
    this.onKeyDown = (event) => this.handleKey(event);
    document.addEventListener('keydown', this.onKeyDown);
    document.title = `${t('queue.title')} · Vision`;
    this.load();
    this.loadCameraOptions();
  }

  destroy() {
    document.removeEventListener('keydown', this.onKeyDown);
    this.abortController?.abort();
    clearTimeout(this.textFilterTimer);
    clearTimeout(this.prefetchTimer);
  }

  // ---- building the screen ----

  build() {
    this.statusTabs = this.buildStatusTabs();
    this.filterForm = this.buildFilterForm();
    this.errorLine = h('p', { class: 'error-box', role: 'alert', hidden: true });
    this.tableBody = h('tbody', { onClick: (event) => this.handleRowClick(event) });
    this.table = h('table', { id: 'queue', class: 'data-table queue-table', 'aria-label': t('queue.tableLabel'), 'aria-busy': 'true' },
      h('thead', {}, h('tr', {},
        ['queue.colPhoto', 'queue.colType', 'queue.colPlate', 'queue.colCamera', 'queue.colZone', 'queue.colTime', 'queue.colConfidence', 'queue.colStatus']
          .map((key) => h('th', { scope: 'col' }, t(key))))),
      this.tableBody);
    this.pageInfo = h('span', { class: 'page-info', 'aria-live': 'polite' });
    this.previousPageButton = h('button', { type: 'button', class: 'button', onClick: () => this.goToPage(this.page - 1) }, '‹ ', t('queue.prevPage'));
    this.nextPageButton = h('button', { type: 'button', class: 'button', onClick: () => this.goToPage(this.page + 1) }, t('queue.nextPage'), ' ›');

    replaceChildren(this.view,
      h('section', { class: 'queue-screen', 'aria-labelledby': 'queue-heading' },
        h('h1', { id: 'queue-heading', class: 'visually-hidden' }, t('queue.title')),
        this.statusTabs,
        this.filterForm,
        this.errorLine,
        h('div', { class: 'table-scroll' }, this.table),
        h('nav', { class: 'pager', 'aria-label': t('queue.paging') }, this.previousPageButton, this.pageInfo, this.nextPageButton)));
  }

  buildStatusTabs() {
    const tabs = [...STATUSES, ''].map((status) => h('button', {
      type: 'button',
      class: 'status-tab',
      'data-status-tab': status || 'all',
      'aria-pressed': String(this.filter.status === status),
      onClick: () => this.applyFilter({ status }),
    }, t(`status.${status || 'all'}`), ' ', h('span', { class: 'count', 'data-count-status': status || 'all' }, '–')));
    return h('div', { class: 'status-tabs', role: 'group', 'aria-label': t('queue.statusTabs') }, tabs);
  }

  buildFilterForm() {
    const typeSelect = h('select', { id: 'filter-type', name: 'type', onChange: () => this.applyFilterInputs() },
      h('option', { value: '' }, t('violation.all')),
      VIOLATIONS.map((code) => h('option', { value: code }, violationName(code))));
    typeSelect.value = this.filter.type;

    const textInput = (name, placeholderKey, extra = {}) => {
      const input = h('input', { type: 'search', id: `filter-${name}`, name, autocomplete: 'off', placeholder: t(placeholderKey), ...extra,
        onInput: () => this.applyFilterInputsSoon() });
      input.value = this.filter[name];
      return input;
    };
    const timeInput = (name) => {
      const input = h('input', { type: 'datetime-local', id: `filter-${name}`, name, onChange: () => this.applyFilterInputs() });
      input.value = toLocalInputValue(this.filter[name]);
      return input;
    };
    this.cameraOptions = h('datalist', { id: 'camera-options' });
    this.filterInputs = {
      type: typeSelect,
      camera: textInput('camera', 'queue.cameraPlaceholder', { list: 'camera-options' }),
      zone: textInput('zone', 'queue.zonePlaceholder'),
      plate: textInput('plate', 'queue.platePlaceholder'),
      from: timeInput('from'),
      to: timeInput('to'),
    };
    const field = (name, labelKey) => h('label', { class: 'field', for: `filter-${name}` },
      h('span', { class: 'field-label' }, t(labelKey)), this.filterInputs[name]);

    return h('form', { class: 'filters', role: 'search', 'aria-label': t('queue.filters'), onSubmit: (event) => { event.preventDefault(); this.applyFilterInputs(); } },
      field('type', 'queue.type'),
      field('camera', 'queue.camera'),
      field('zone', 'queue.zone'),
      field('plate', 'queue.plate'),
      field('from', 'queue.from'),
      field('to', 'queue.to'),
      this.cameraOptions,
      h('div', { class: 'filter-buttons' },
        h('button', { type: 'submit', class: 'button' }, t('queue.refresh')),
        h('button', { type: 'button', class: 'button link-button', onClick: () => this.clearFilters() }, t('queue.clearFilters'))));
  }

  async loadCameraOptions() {
    try {
      const cameras = await getJson(CAMERAS_API);
      replaceChildren(this.cameraOptions, cameras.map((camera) => h('option', { value: camera.id }, camera.name)));
    } catch {
      // suggestions only: the field still takes a camera id
    }
  }

  // ---- filters and paging ----

  applyFilterInputsSoon() {
    clearTimeout(this.textFilterTimer);
    this.textFilterTimer = setTimeout(() => this.applyFilterInputs(), TEXT_FILTER_DELAY_MS);
  }

  applyFilterInputs() {
    clearTimeout(this.textFilterTimer);
    const inputs = this.filterInputs;
    this.applyFilter({
      type: inputs.type.value,
      camera: inputs.camera.value.trim(),
      zone: inputs.zone.value.trim(),
      plate: inputs.plate.value.trim(),
      from: fromLocalInputValue(inputs.from.value),
      to: fromLocalInputValue(inputs.to.value),
    });
  }

  applyFilter(changes) {
    this.filter = { ...this.filter, ...changes };
    for (const tab of this.statusTabs.querySelectorAll('[data-status-tab]')) {
      tab.setAttribute('aria-pressed', String((tab.dataset.statusTab === 'all' ? '' : tab.dataset.statusTab) === this.filter.status));
    }
    this.page = 1;
    this.selectedIndex = 0;
    updateAddress(queueAddress(this.filter, this.page));
    this.load();
  }

  clearFilters() {
    for (const input of Object.values(this.filterInputs)) input.value = '';
    this.applyFilter({ type: '', camera: '', zone: '', plate: '', from: '', to: '' });
  }

  goToPage(page) {
    const pages = this.pageCount();
    if (page < 1 || page > pages || page === this.page) return;
    this.page = page;
    this.selectedIndex = 0;
    updateAddress(queueAddress(this.filter, this.page));
    this.load({ focusRow: true });
  }

  pageCount() {
    const response = this.response;
    return response ? Math.max(1, Math.ceil(response.total / response.pageSize)) : 1;
  }

  // ---- loading and rendering ----

  async load({ focusRow = false } = {}) {
    this.abortController?.abort();
    const controller = new AbortController();
    this.abortController = controller;
    this.table.setAttribute('aria-busy', 'true');
    try {
      const response = await fetchCasePage(this.filter, this.page, PAGE_SIZE, controller.signal);
      if (controller.signal.aborted) return;
      this.response = response;
      this.errorLine.hidden = true;
      this.render(focusRow || !this.rendered);
    } catch (error) {
      if (isSilentError(error)) return;
      this.errorLine.textContent = describeError(error);
      this.errorLine.hidden = false;
      replaceChildren(this.tableBody);
    } finally {
      if (this.abortController === controller) this.table.setAttribute('aria-busy', 'false');
    }
    if (!this.rendered) {
      this.rendered = true;
      markReady();
    }
  }

  render(focusRow) {
    const { items, total, counts = {} } = this.response;
    if (!items.length && this.page > this.pageCount()) {
      // The list shrank under this page (cases reviewed elsewhere): show its last page instead.
      this.goToPage(this.pageCount());
      return;
    }
    this.renderCounts(counts);
    this.rows = items.map((item) => this.renderRow(item));
    if (this.rows.length) replaceChildren(this.tableBody, this.rows);
    else replaceChildren(this.tableBody, h('tr', { class: 'empty-row' }, h('td', { colspan: '7' }, t('queue.empty'))));

    this.pageInfo.textContent = t('queue.pageInfo', { page: this.page, pages: this.pageCount(), total });
    this.previousPageButton.disabled = this.page <= 1;
    this.nextPageButton.disabled = this.page >= this.pageCount();

    const returnedTo = this.focusCaseId ? items.findIndex((item) => String(item.caseId) === this.focusCaseId) : -1;
    this.focusCaseId = null;
    this.select(returnedTo >= 0 ? returnedTo : Math.min(this.selectedIndex, this.rows.length - 1), { focus: focusRow });
  }

  renderCounts(counts) {
    let sum = 0;
    for (const status of STATUSES) {
      const count = counts[status] ?? 0;
      sum += count;
      this.statusTabs.querySelector(`[data-count-status="${status}"]`).textContent = String(count);
    }
    this.statusTabs.querySelector('[data-count-status="all"]').textContent = String(sum);
  }

  renderRow(item) {
    const caseId = String(item.caseId);
    const type = violationName(item.violation, item.violationName);
    const camera = item.cameraName || item.cameraId;
    const photo = item.photoUrl
      ? h('img', { src: item.photoUrl, alt: t('queue.photoAlt', { type, camera }), width: '96', height: '54', loading: 'lazy', decoding: 'async' })
      : h('span', { class: 'no-photo' }, t('queue.noPhoto'));
    return h('tr', { 'data-case-id': caseId, tabindex: '-1' },
      h('td', { class: 'thumb-cell' }, photo),
      h('td', {}, h('a', { href: `/cases/${encodeURIComponent(caseId)}`, tabindex: '-1', class: `violation-name violation-${item.violation}` }, type)),
      h('td', { class: 'plate-cell' }, item.plate ? h('span', { class: 'plate-text' }, item.plate) : ''),
      h('td', {}, camera, ' ', h('span', { class: 'muted mono' }, item.cameraId)),
      h('td', { title: item.zoneId ?? '' }, zoneLabel(item.zoneId, item.zoneName)),
      h('td', { class: 'nowrap' }, h('time', { datetime: item.confirmedAt }, formatLocalIso(item.confirmedAtLocal, item.confirmedAt))),
      h('td', { class: 'numeric' }, formatPercent(item.confidence)),
      h('td', {}, statusBadge(item.status)));
  }

  // ---- selection and opening ----

  /** Roving focus: only the selected row is in the tab order, so Tab goes row → pager, not through 50 rows. */
  select(index, { focus = true } = {}) {
    if (!this.rows.length) return;
    const next = Math.max(0, Math.min(index, this.rows.length - 1));
    const previousRow = this.rows[this.selectedIndex];
    if (previousRow) {
      previousRow.tabIndex = -1;
      previousRow.classList.remove('selected');
    }
    this.selectedIndex = next;
    const row = this.rows[next];
    row.tabIndex = 0;
    row.classList.add('selected');
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: 'nearest' });
    }
    this.prefetchSoon(row.dataset.caseId);
  }

  /** Fetches the selected case ahead so that opening it is instant. */
  prefetchSoon(caseId) {
    clearTimeout(this.prefetchTimer);
    this.prefetchTimer = setTimeout(() => {
      loadCase(caseId).then((caseData) => warmImages(casePhotoUrls(caseData))).catch(() => {});
    }, PREFETCH_DELAY_MS);
  }

  open(index) {
    const row = this.rows[index];
    if (!row || !this.response) return;
    QueueContext.fromPage(this.filter, this.response).save();
    navigate(`/cases/${encodeURIComponent(row.dataset.caseId)}`);
  }

  handleRowClick(event) {
    const row = event.target.closest('tr[data-case-id]');
    if (!row) return;
    const link = event.target.closest('a');
    if (link && (event.button !== 0 || hasCommandModifier(event) || event.shiftKey)) return; // new tab/window
    event.preventDefault();
    this.open(this.rows.indexOf(row));
  }

  handleKey(event) {
    runShortcut(event, e => this.keyAction(e));
  }

  keyAction(event) {
    switch (event.code) {
      case 'KeyJ':
      case 'ArrowDown': return () => this.select(this.selectedIndex + 1);
      case 'KeyK':
      case 'ArrowUp': return () => this.select(this.selectedIndex - 1);
      case 'Enter':
      case 'NumpadEnter':
      case 'KeyO': {
        // Enter on a focused button or link belongs to that control.
        const target = event.target;
        if (event.code !== 'KeyO' && (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement)) return null;
        return () => this.open(this.selectedIndex);
      }
      case 'BracketRight': return () => this.goToPage(this.page + 1);
      case 'BracketLeft': return () => this.goToPage(this.page - 1);
      case 'Slash': return event.shiftKey ? null : () => this.filterInputs.type.focus();
      default: return null;
    }
  }
}
