// The review queue (/): status tabs with counts, filters, one server page of cases, keyboard selection.
import { h, replaceChildren, hasCommandModifier, runShortcut } from './dom.js';
import { t, violationName, zoneLabel } from './i18n.js';
import { getJson, postJson, describeError, isSilentError, toQuery, CAMERAS_API } from './api.js';
import { createRejectDialog } from './reject-dialog.js';
import { showToast } from './toast.js';
import { onCaseChange } from './live-feed.js';
import { formatLocalIso, formatPercent, toLocalInputValue, fromLocalInputValue } from './format.js';
import { vocabulary } from './vocabulary.js';
import { PAGE_SIZE, QueueContext, readQueueAddress, queueAddress, fetchCasePage } from './queue-context.js';
import { loadCase, warmImages, casePhotoUrls } from './case-cache.js';
import { statusBadge } from './case-render.js';
import { navigate, updateAddress } from './router.js';
import { Screen } from './screen.js';

const TEXT_FILTER_DELAY_MS = 400;
const PREFETCH_DELAY_MS = 150;
// Changes come in bursts (a bulk decision, several cameras at once): one reload for each burst.
const LIVE_RELOAD_DELAY_MS = 300;

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
    this.chosen = new Map(); // case id → the version shown, for a bulk decision
    this.bulkBusy = false;
    this.rendered = false;
    this.abortController = null;
    this.textFilterTimer = 0;
    this.prefetchTimer = 0;

    this.screen = new Screen(view, footer, {
      name: 'queue',
      title: t('queue.title'),
      hiddenHeading: true,
      keys: [
        ['↓ J', 'keys.queue.move'], ['↑ K', 'keys.queue.move'], ['Enter', 'keys.queue.open'],
        ['[ ]', 'keys.queue.page'], ['X', 'keys.queue.choose'], ['/', 'keys.queue.filter'],
      ],
    });
    this.build();
    this.onKeyDown = (event) => this.handleKey(event);
    document.addEventListener('keydown', this.onKeyDown);
    this.load();
    this.loadCameraOptions();
    this.liveTimer = 0;
    this.shownIds = null;
    this.stopListening = onCaseChange(() => this.reloadSoon());
  }

  /** A case was added or changed somewhere: reload this page of the queue in place, keeping the officer's row. */
  reloadSoon() {
    clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => {
      if (this.bulkBusy) return this.reloadSoon();
      this.focusCaseId = this.rows[this.selectedIndex]?.dataset.caseId ?? null;
      this.load({ live: true });
    }, LIVE_RELOAD_DELAY_MS);
  }

  destroy() {
    this.screen.stop();
    document.removeEventListener('keydown', this.onKeyDown);
    this.stopListening();
    clearTimeout(this.liveTimer);
    this.abortController?.abort();
    clearTimeout(this.textFilterTimer);
    clearTimeout(this.prefetchTimer);
  }

  // ---- building the screen ----

  build() {
    this.statusTabs = this.buildStatusTabs();
    this.filterForm = this.buildFilterForm();
    this.tableBody = h('tbody', { onClick: (event) => this.handleRowClick(event), onChange: (event) => this.handleChoiceChange(event) });
    this.chooseAllBox = h('input', { type: 'checkbox', id: 'choose-page', 'aria-label': t('bulk.choosePage'), onChange: () => this.chooseAll(this.chooseAllBox.checked) });
    this.table = h('table', { id: 'queue', class: 'data-table queue-table', 'aria-label': t('queue.tableLabel'), 'aria-busy': 'true' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'select-cell' }, this.chooseAllBox),
        ['queue.colPhoto', 'queue.colType', 'queue.colPlate', 'queue.colCamera', 'queue.colZone', 'queue.colTime', 'queue.colConfidence', 'queue.colStatus']
          .map((key) => h('th', { scope: 'col' }, t(key))))),
      this.tableBody);
    this.pageInfo = h('span', { class: 'page-info', 'aria-live': 'polite' });
    this.previousPageButton = h('button', { type: 'button', class: 'button', onClick: () => this.goToPage(this.page - 1) }, '‹ ', t('queue.prevPage'));
    this.nextPageButton = h('button', { type: 'button', class: 'button', onClick: () => this.goToPage(this.page + 1) }, t('queue.nextPage'), ' ›');

    this.screen.show(this.screen.section(
      this.statusTabs,
      this.filterForm,
      this.buildExportPanel(),
      this.buildBulkBar(),
      this.screen.errorLine,
      h('div', { class: 'table-scroll' }, this.table),
      h('nav', { class: 'pager', 'aria-label': t('queue.paging') }, this.previousPageButton, this.pageInfo, this.nextPageButton)));
  }

  /** The 考核 export: cases per period and street / camera / type, counted per status, as CSV or Excel. */
  buildExportPanel() {
    const today = new Date();
    const iso = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    const from = h('input', { type: 'date', id: 'export-from', value: iso(new Date(today.getFullYear(), today.getMonth(), 1)) });
    const to = h('input', { type: 'date', id: 'export-to', value: iso(today) });
    const period = h('select', { id: 'export-period' }, ['day', 'week', 'month'].map((p) => h('option', { value: p }, t(`export.period.${p}`))));
    const dimensions = ['street', 'camera', 'type'].map((d) => h('input', { type: 'checkbox', value: d, checked: d !== 'street', id: `export-by-${d}` }));
    const csv = h('a', { class: 'button', id: 'export-csv', download: true }, t('export.csv'));
    const xlsx = h('a', { class: 'button', id: 'export-xlsx', download: true }, t('export.xlsx'));
    const update = () => {
      const query = toQuery({ from: from.value, to: to.value, period: period.value, by: dimensions.filter((d) => d.checked).map((d) => d.value).join(',') });
      csv.href = `/api/reports/cases.csv${query}`;
      xlsx.href = `/api/reports/cases.xlsx${query}`;
    };
    for (const input of [from, to, period, ...dimensions]) input.addEventListener('change', update);
    update();
    const field = (labelKey, input) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, t(labelKey)), input);
    return h('details', { class: 'export-panel' },
      h('summary', {}, t('export.title')),
      h('div', { class: 'export-fields' },
        field('export.from', from), field('export.to', to), field('export.period', period),
        h('fieldset', { class: 'export-by' }, h('legend', { class: 'field-label' }, t('export.by')),
          dimensions.map((input) => h('label', { for: input.id }, input, ' ', t(`export.by.${input.value}`)))),
        h('div', { class: 'filter-buttons' }, csv, xlsx)));
  }

  buildBulkBar() {
    this.bulkCount = h('span', { class: 'bulk-count', 'aria-live': 'polite' });
    this.bulkResult = h('p', { id: 'bulk-result', class: 'bulk-result', role: 'status', hidden: true });
    this.rejectDialog = createRejectDialog((choice) => this.decideChosen('reject', choice));
    this.bulkBar = h('div', { id: 'bulk-bar', class: 'bulk-bar', hidden: true },
      this.bulkCount,
      h('button', { type: 'button', id: 'choose-camera-hour', class: 'button', onClick: () => this.chooseSameCameraHour() }, t('bulk.sameCameraHour')),
      h('button', { type: 'button', id: 'bulk-confirm', class: 'button primary', onClick: () => this.decideChosen('confirm', {}) }, t('bulk.confirm')),
      h('button', { type: 'button', id: 'bulk-reject', class: 'button danger', onClick: () => this.rejectDialog.open() }, t('bulk.reject')),
      h('button', { type: 'button', class: 'button link-button', onClick: () => this.chooseAll(false) }, t('bulk.clear')));
    return h('div', { class: 'bulk-area' }, this.bulkBar, this.bulkResult, this.rejectDialog.element);
  }

  buildStatusTabs() {
    const tabs = [...vocabulary().statuses, ''].map((status) => h('button', {
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
      vocabulary().violations.map((code) => h('option', { value: code }, violationName(code))));
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
    this.chosen.clear();
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

  async load({ focusRow = false, live = false } = {}) {
    this.abortController?.abort();
    const controller = new AbortController();
    this.abortController = controller;
    this.table.setAttribute('aria-busy', 'true');
    try {
      const response = await fetchCasePage(this.filter, this.page, PAGE_SIZE, controller.signal);
      if (controller.signal.aborted) return;
      this.response = response;
      this.screen.hideError();
      const before = this.shownIds;
      this.render(focusRow || !this.rendered);
      this.shownIds = new Set(this.rows.map((row) => row.dataset.caseId));
      if (live && before) for (const row of this.rows) if (!before.has(row.dataset.caseId)) row.classList.add('new-case');
    } catch (error) {
      if (!this.screen.showError(error)) return;
      replaceChildren(this.tableBody);
    } finally {
      if (this.abortController === controller) this.table.setAttribute('aria-busy', 'false');
    }
    if (!this.rendered) {
      this.rendered = true;
      this.screen.ready();
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
    else replaceChildren(this.tableBody, h('tr', { class: 'empty-row' }, h('td', { colspan: '9' }, t('queue.empty'))));
    this.renderChoice();

    this.pageInfo.textContent = t('queue.pageInfo', { page: this.page, pages: this.pageCount(), total });
    this.previousPageButton.disabled = this.page <= 1;
    this.nextPageButton.disabled = this.page >= this.pageCount();

    const returnedTo = this.focusCaseId ? items.findIndex((item) => String(item.caseId) === this.focusCaseId) : -1;
    this.focusCaseId = null;
    this.select(returnedTo >= 0 ? returnedTo : Math.min(this.selectedIndex, this.rows.length - 1), { focus: focusRow });
  }

  renderCounts(counts) {
    // The tab title says how many wait for review, so a queue in a background tab shows when work arrives.
    document.title = `(${counts.auto_captured ?? 0}) ${t('status.auto_captured')} — Vision`;
    let sum = 0;
    for (const status of vocabulary().statuses) {
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
    const chosen = this.chosen.has(caseId);
    if (chosen) this.chosen.set(caseId, item.version);
    return h('tr', { 'data-case-id': caseId, 'data-camera-id': item.cameraId, 'data-hour': localHour(item), 'data-version': String(item.version ?? ''), tabindex: '-1' },
      h('td', { class: 'select-cell' }, h('input', { type: 'checkbox', class: 'choose-case', checked: chosen, 'aria-label': t('bulk.chooseCase', { type, camera }) })),
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

  // ---- choosing cases for one decision ----

  handleChoiceChange(event) {
    if (!event.target.classList.contains('choose-case')) return;
    const row = event.target.closest('tr[data-case-id]');
    this.setChosen(row, event.target.checked);
    this.renderChoice();
  }

  setChosen(row, chosen) {
    if (chosen) this.chosen.set(row.dataset.caseId, Number(row.dataset.version) || null);
    else this.chosen.delete(row.dataset.caseId);
    row.querySelector('.choose-case').checked = chosen;
    row.classList.toggle('chosen', chosen);
  }

  chooseAll(chosen) {
    for (const row of this.rows) this.setChosen(row, chosen);
    if (!chosen) this.chosen.clear();
    this.renderChoice();
  }

  toggleChosen(index) {
    const row = this.rows[index];
    if (!row) return;
    this.setChosen(row, !this.chosen.has(row.dataset.caseId));
    this.renderChoice();
  }

  /** Chooses every case on this page from the selected row's camera in the same hour (camera-local). */
  chooseSameCameraHour() {
    const reference = this.rows[this.selectedIndex];
    if (!reference) return;
    for (const row of this.rows) {
      if (row.dataset.cameraId === reference.dataset.cameraId && row.dataset.hour === reference.dataset.hour) this.setChosen(row, true);
    }
    this.renderChoice();
  }

  renderChoice() {
    const count = this.chosen.size;
    this.bulkBar.hidden = count === 0;
    this.bulkCount.textContent = t('bulk.chosen', { count });
    const onPage = this.rows.filter((row) => this.chosen.has(row.dataset.caseId)).length;
    this.chooseAllBox.checked = this.rows.length > 0 && onPage === this.rows.length;
    this.chooseAllBox.indeterminate = onPage > 0 && onPage < this.rows.length;
    for (const row of this.rows) row.classList.toggle('chosen', this.chosen.has(row.dataset.caseId));
  }

  /** One decision for the chosen cases; the answer says per case whether it was recorded or changed meanwhile. */
  async decideChosen(decision, { reason = null, note = '' }) {
    if (this.bulkBusy || this.chosen.size === 0) return;
    this.bulkBusy = true;
    try {
      const cases = [...this.chosen].map(([caseId, expectedVersion]) => ({ caseId, expectedVersion }));
      const answer = await postJson('/api/cases/bulk-decision', { decision, reason, note: note || null, cases });
      this.showBulkResult(answer);
      this.chosen.clear();
      this.load();
    } catch (error) {
      if (isSilentError(error)) return;
      if (decision === 'reject') throw new Error(describeError(error)); // the dialog shows it
      showToast(describeError(error), 'error');
    } finally {
      this.bulkBusy = false;
    }
  }

  showBulkResult(answer) {
    const counts = answer.counts ?? {};
    const parts = ['recorded', 'case_changed', 'already_decided', 'already_dispatched', 'not_found']
      .filter((result) => counts[result]).map((result) => t(`bulk.result.${result}`, { count: counts[result] }));
    const others = answer.results.filter((r) => r.result !== 'recorded');
    replaceChildren(this.bulkResult,
      h('span', {}, t(answer.decision === 'confirmed' ? 'bulk.doneConfirm' : 'bulk.doneReject'), parts.join('，')),
      others.length ? h('ul', { class: 'bulk-problems' }, others.map((r) => h('li', { 'data-case-id': r.caseId, 'data-result': r.result },
        h('a', { href: `/cases/${encodeURIComponent(r.caseId)}`, class: 'mono' }, r.caseId), ' ', t(`bulk.result.${r.result}`, { count: 1 }),
        r.status ? [' · ', statusBadge(r.status)] : null))) : null);
    this.bulkResult.hidden = false;
    showToast(parts.join('，'), others.length ? 'info' : 'success');
  }

  handleRowClick(event) {
    const row = event.target.closest('tr[data-case-id]');
    if (!row) return;
    if (event.target.closest('.select-cell')) {
      // A tap beside the small box counts as a tap on it; the box itself changes on its own.
      if (!event.target.classList.contains('choose-case')) this.toggleChosen(this.rows.indexOf(row));
      return;
    }
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
      case 'KeyX': return () => this.toggleChosen(this.selectedIndex);
      case 'BracketRight': return () => this.goToPage(this.page + 1);
      case 'BracketLeft': return () => this.goToPage(this.page - 1);
      case 'Slash': return event.shiftKey ? null : () => this.filterInputs.type.focus();
      default: return null;
    }
  }
}

/** "2026-11-23T15" of the camera-local confirmation time: cases of one camera in one hour are chosen together. */
function localHour(item) {
  const local = typeof item.confirmedAtLocal === 'string' ? item.confirmedAtLocal.slice(0, 13) : '';
  return local || String(item.confirmedAt ?? '').slice(0, 13);
}
