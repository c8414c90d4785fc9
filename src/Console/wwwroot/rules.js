// Rule performance (/rules): hits and review outcomes per rule and camera, and precision week by week.
// Precision below 50 % is the engineers' first signal of a bad rule, so those rows are marked.
import { h, replaceChildren } from './dom.js';
import { t, violationName } from './i18n.js';
import { getJson } from './api.js';
import { formatPercent } from './format.js';
import { updateAddress } from './router.js';
import { Screen } from './screen.js';

const LOW_PRECISION = 0.5;
const WEEK_CHOICES = [4, 8, 12, 26];
const DEFAULT_WEEKS = 8;

const SUMMARY_COLUMNS = [
  { key: 'ruleName', label: 'rules.rule', text: true },
  { key: 'cameraId', label: 'rules.camera', text: true },
  { key: 'type', label: 'rules.type', text: true },
  { key: 'hits', label: 'rules.hits' },
  { key: 'confirmed', label: 'rules.confirmed' },
  { key: 'rejected', label: 'rules.rejected' },
  { key: 'pending', label: 'rules.pending' },
  { key: 'precision', label: 'rules.precision' },
];

export function mountRules(view, { footer }) {
  const screen = new RulesScreen(view, footer);
  return () => screen.destroy();
}

export function isLowPrecision(precision) {
  return precision !== null && precision !== undefined && precision < LOW_PRECISION;
}

class RulesScreen {
  constructor(view, footer) {
    const requested = Number.parseInt(new URLSearchParams(location.search).get('weeks') ?? '', 10);
    this.weeks = WEEK_CHOICES.includes(requested) ? requested : DEFAULT_WEEKS;
    this.sort = { key: 'precision', ascending: true }; // worst rules first
    this.stats = null;

    const weeksSelect = h('select', { id: 'rules-weeks', onChange: () => this.changeWeeks(Number(weeksSelect.value)) },
      WEEK_CHOICES.map((n) => h('option', { value: String(n) }, t('rules.weeksOption', { n }))));
    weeksSelect.value = String(this.weeks);

    this.screen = new Screen(view, footer, {
      name: 'rules',
      title: t('rules.title'),
      aside: [h('label', { class: 'field inline', for: 'rules-weeks' }, h('span', { class: 'field-label' }, t('rules.weeks')), weeksSelect)],
    });
    this.summaryArea = h('div', { class: 'table-scroll' });
    this.weeklyArea = h('div', { class: 'table-scroll' });
    this.screen.show(this.screen.section(
      h('p', { class: 'hint' }, t('rules.lowPrecisionHint')),
      this.screen.errorLine,
      h('h2', { class: 'section-title' }, t('rules.summary')),
      this.summaryArea,
      h('h2', { class: 'section-title' }, t('rules.weekly')),
      this.weeklyArea));
    this.load();
  }

  destroy() {
    this.screen.stop();
  }

  changeWeeks(weeks) {
    this.weeks = weeks;
    updateAddress(weeks === DEFAULT_WEEKS ? '/rules' : `/rules?weeks=${weeks}`);
    this.load();
  }

  async load() {
    try {
      const stats = await getJson(`/api/rules/stats?weeks=${this.weeks}`);
      if (this.screen.stopped) return;
      this.stats = stats;
      this.screen.hideError();
      this.renderSummary();
      this.renderWeekly();
    } catch (error) {
      if (!this.screen.showError(error)) return;
    }
    this.screen.ready();
  }

  sortBy(key) {
    this.sort = this.sort.key === key ? { key, ascending: !this.sort.ascending } : { key, ascending: true };
    this.renderSummary();
    this.summaryArea.querySelector(`th[data-sort-key="${key}"] button`)?.focus();
  }

  renderSummary() {
    const rules = sortRows(this.stats.rules, this.sort);
    if (!rules.length) {
      replaceChildren(this.summaryArea, h('p', { class: 'muted' }, t('rules.empty')));
      return;
    }
    replaceChildren(this.summaryArea,
      h('table', { id: 'rule-stats', class: 'data-table' },
        h('thead', {}, h('tr', {}, SUMMARY_COLUMNS.map((column) => this.renderSortableHeader(column)))),
        h('tbody', {}, rules.map(renderRuleRow))));
  }

  renderSortableHeader(column) {
    const active = this.sort.key === column.key;
    const label = t(column.label);
    return h('th', {
      scope: 'col',
      class: column.text ? '' : 'numeric',
      'data-sort-key': column.key,
      'aria-sort': active ? (this.sort.ascending ? 'ascending' : 'descending') : 'none',
    }, h('button', { type: 'button', class: 'sort-button', 'aria-label': t('rules.sortBy', { column: label }), onClick: () => this.sortBy(column.key) },
      label, active ? (this.sort.ascending ? ' ▲' : ' ▼') : ''));
  }

  renderWeekly() {
    const weekly = this.stats.weekly ?? [];
    if (!weekly.length) {
      replaceChildren(this.weeklyArea, h('p', { class: 'muted' }, t('rules.empty')));
      return;
    }
    const weeks = [...new Set(weekly.map((entry) => entry.week))].sort();
    const names = new Map(this.stats.rules.map((rule) => [`${rule.ruleId}\u0000${rule.cameraId}`, rule.ruleName]));
    const series = groupWeekly(weekly);
    replaceChildren(this.weeklyArea,
      h('table', { id: 'rule-weekly', class: 'data-table weekly-table' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('rules.rule')),
          h('th', { scope: 'col' }, t('rules.camera')),
          weeks.map((week) => h('th', { scope: 'col', class: 'numeric' }, week)))),
        h('tbody', {}, [...series].map(([seriesKey, byWeek]) => {
          const [ruleId, cameraId] = seriesKey.split('\u0000');
          return h('tr', { 'data-rule-id': ruleId, 'data-camera-id': cameraId },
            h('th', { scope: 'row' }, names.get(seriesKey) ?? ruleId, ' ', h('span', { class: 'muted mono' }, ruleId)),
            h('td', {}, cameraId),
            weeks.map((week) => renderWeekCell(byWeek.get(week))));
        }))));
  }
}

function renderRuleRow(rule) {
  const low = isLowPrecision(rule.precision);
  return h('tr', { class: low ? 'low-precision' : '', 'data-rule-id': rule.ruleId, 'data-camera-id': rule.cameraId },
    h('th', { scope: 'row' }, rule.ruleName ?? rule.ruleId, ' ', h('span', { class: 'muted mono' }, rule.ruleId)),
    h('td', {}, rule.cameraId),
    h('td', {}, violationName(rule.type)),
    h('td', { class: 'numeric' }, String(rule.hits)),
    h('td', { class: 'numeric' }, String(rule.confirmed)),
    h('td', { class: 'numeric' }, String(rule.rejected)),
    h('td', { class: 'numeric' }, String(rule.pending)),
    h('td', { class: 'numeric precision-cell', 'data-precision': rule.precision ?? '' }, precisionDisplay(rule.precision)));
}

function renderWeekCell(entry) {
  if (!entry) return h('td', { class: 'numeric muted' }, '—');
  const low = isLowPrecision(entry.precision);
  const title = `${t('rules.hits')} ${entry.hits} · ${t('rules.confirmed')} ${entry.confirmed} · ${t('rules.rejected')} ${entry.rejected}`;
  return h('td', { class: `numeric week-cell${low ? ' low-precision' : ''}`, title },
    precisionDisplay(entry.precision),
    h('span', { class: 'week-hits muted' }, String(entry.hits)));
}

/** "73%" with a small bar, "41% 低于 50%" for a bad rule (text as well as colour), "暂无审核" before any review. */
function precisionDisplay(precision) {
  if (precision === null || precision === undefined) return h('span', { class: 'muted' }, t('rules.noReview'));
  const bar = h('span', { class: 'precision-bar', 'aria-hidden': 'true' }, h('span', { class: 'precision-fill' }));
  bar.firstChild.style.setProperty('width', `${Math.round(precision * 100)}%`);
  return h('span', { class: 'precision' },
    bar,
    h('span', { class: 'precision-value' }, formatPercent(precision)),
    isLowPrecision(precision) && h('span', { class: 'low-flag' }, '⚠ ', t('rules.lowPrecision')));
}

function groupWeekly(weekly) {
  const series = new Map();
  for (const entry of weekly) {
    const key = `${entry.ruleId}\u0000${entry.cameraId}`;
    if (!series.has(key)) series.set(key, new Map());
    series.get(key).set(entry.week, entry);
  }
  return series;
}

/** Sorts a copy; rules never reviewed (precision null) go last whatever the direction. */
function sortRows(rows, { key, ascending }) {
  const direction = ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const left = a[key];
    const right = b[key];
    if (left === null || left === undefined) return right === null || right === undefined ? 0 : 1;
    if (right === null || right === undefined) return -1;
    if (typeof left === 'string' || typeof right === 'string') return direction * String(left).localeCompare(String(right), 'zh-CN');
    return direction * (left - right);
  });
}
