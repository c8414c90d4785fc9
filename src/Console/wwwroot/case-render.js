// Builds the read-only parts of the case view from a case's JSON.
import { h } from './dom.js';
import { t, hasText, violationName, statusName, objectClassName, zoneLabel } from './i18n.js';
import { formatDateTime, formatTime, formatLocalIso, formatPercent, formatDuration, formatNumber, offsetMinutesOf } from './format.js';

const PHOTO_ROLE_ORDER = ['first_seen', 'midway', 'confirmation'];

/** The camera's UTC offset, so every time of a case reads in the street's local time like confirmedAtLocal. */
export function caseOffset(data) {
  return offsetMinutesOf(data.confirmedAtLocal);
}

export function statusBadge(status, props = {}) {
  return h('span', { class: `status-badge status-${status}`, 'data-status': status, ...props }, statusName(status));
}

export function rejectReasonName(reason) {
  return reason && hasText(`reject.${reason}`) ? t(`reject.${reason}`) : reason ?? '';
}

export function renderCaseHeading(data) {
  return h('div', { class: 'case-heading' },
    h('h1', { class: 'case-title' },
      h('span', { class: `violation-name violation-${data.violation}` }, violationName(data.violation, data.violationName)),
      statusBadge(data.status, { id: 'case-status' })),
    h('p', { class: 'case-subtitle' },
      h('span', { class: 'case-time' }, formatLocalIso(data.confirmedAtLocal, data.confirmedAt)),
      ' · ',
      h('span', {}, data.cameraName || data.cameraId)),
    renderPlate(data.plate),
    h('p', { class: 'case-id mono' }, data.caseId),
    renderStatusDetail(data));
}

/** The vehicle's plate, large (officers act on it); or why it could not be read. Nothing for cases without a vehicle. */
export function renderPlate(plate) {
  if (!plate) return null;
  if (plate.text) {
    return h('p', { class: 'case-plate', id: 'case-plate' },
      h('span', { class: 'plate-text plate-large' }, plate.text),
      h('span', { class: 'muted' }, ` ${t('case.plateConfidence')}${t('app.colon')}${formatPercent(plate.confidence)}`));
  }
  return h('p', { class: 'case-plate', id: 'case-plate' },
    h('span', { class: 'muted' }, `${t('case.plateUnreadable')}${plate.reason ? `${t('app.colon')}${plate.reason}` : ''}`));
}

function renderStatusDetail(data) {
  if (!data.statusReason && !data.statusNote) return null;
  return h('p', { class: 'status-detail' },
    data.statusReason && h('span', {}, `${t('case.statusReason')}${t('app.colon')}${rejectReasonName(data.statusReason)}`),
    data.statusReason && data.statusNote && ' · ',
    data.statusNote && h('span', {}, `${t('case.statusNote')}${t('app.colon')}${data.statusNote}`));
}

/** The clip player, or a message when the case has none. video is an element to reuse (preloaded). */
export function renderClipArea(data, video) {
  if (video) return h('div', { class: 'video-frame' }, video);
  const message = data.clipError ? t('case.clipError', { error: data.clipError }) : t('case.noClip');
  return h('div', { class: 'video-frame video-missing' }, h('p', { role: 'note' }, message));
}

/** A bar from first seen to confirmation, split where the object became a violation. */
export function renderTimeline(data) {
  const points = timelinePoints(data);
  if (!points) return null;
  const span = Math.max(1, points.confirmed - points.firstSeen);
  const violationShare = clamp((points.violation - points.firstSeen) / span, 0, 1);

  const bar = h('div', { class: 'timeline-bar', 'aria-hidden': 'true' },
    h('div', { class: 'timeline-segment timeline-observing' }),
    h('div', { class: 'timeline-segment timeline-violating' }));
  bar.children[0].style.setProperty('flex-grow', String(violationShare));
  bar.children[1].style.setProperty('flex-grow', String(1 - violationShare));

  const offset = caseOffset(data);
  const violationEvent = timelineEvent('violation', points.violation, 'case.timeline.violation', offset);
  violationEvent.style.setProperty('--at', `${(violationShare * 100).toFixed(2)}%`);

  return h('section', { class: 'timeline', 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading', class: 'section-title' }, t('case.timeline'), ' ',
      h('span', { class: 'muted' }, t('case.timeline.dwell', { duration: formatDuration(data.dwellSeconds ?? span / 1000) }))),
    h('ol', { class: 'timeline-events' },
      timelineEvent('first-seen', points.firstSeen, 'case.timeline.firstSeen', offset),
      violationEvent,
      timelineEvent('confirmed', points.confirmed, 'case.timeline.confirmed', offset)),
    bar);
}

function timelineEvent(kind, time, labelKey, offset) {
  return h('li', { class: `timeline-event timeline-${kind}` },
    h('span', { class: 'timeline-label' }, t(labelKey)), ' ',
    h('time', { datetime: new Date(time).toISOString(), title: formatDateTime(time, offset) }, formatTime(time, offset)));
}

function timelinePoints(data) {
  const timeline = data.timeline ?? {};
  const firstSeen = Date.parse(timeline.firstSeenAt ?? data.startedAt);
  const confirmed = Date.parse(timeline.confirmedAt ?? data.confirmedAt);
  if (Number.isNaN(firstSeen) || Number.isNaN(confirmed)) return null;
  let violation = Date.parse(timeline.violationAt);
  if (Number.isNaN(violation)) {
    const threshold = data.rule?.dwellSeconds;
    violation = threshold !== null && threshold !== undefined ? firstSeen + threshold * 1000 : confirmed;
  }
  return { firstSeen, violation: clamp(violation, firstSeen, confirmed), confirmed };
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

/** Photo thumbnails in role order; onEnlarge(photo) opens the big view. */
export function renderPhotos(data, onEnlarge) {
  const photos = [...(data.photos ?? [])].sort((a, b) => roleRank(a.role) - roleRank(b.role));
  const offset = caseOffset(data);
  return h('section', { class: 'photos-section', 'aria-labelledby': 'photos-heading' },
    h('h2', { id: 'photos-heading', class: 'section-title' }, t('case.photos')),
    h('div', { id: 'photos', class: 'photo-strip' },
      photos.map((photo) => {
        const role = photoRoleName(photo.role);
        return h('figure', { class: 'photo', 'data-role': photo.role },
          h('button', { type: 'button', class: 'photo-button', 'aria-label': t('case.photoEnlarge', { role }), onClick: () => onEnlarge(photo) },
            h('img', { src: photo.url, alt: role, 'data-role': photo.role, decoding: 'async' })),
          h('figcaption', {}, role, ' ', h('time', { datetime: photo.takenAt }, formatTime(photo.takenAt, offset))));
      })));
}

function roleRank(role) {
  const rank = PHOTO_ROLE_ORDER.indexOf(role);
  return rank < 0 ? PHOTO_ROLE_ORDER.length : rank;
}

export function photoRoleName(role) {
  return hasText(`case.photoRole.${role}`) ? t(`case.photoRole.${role}`) : role;
}

/** Label/value list; rows with an empty value are left out. */
function factList(rows) {
  return h('dl', { class: 'facts' },
    rows.filter(([, value]) => value !== null && value !== undefined && value !== '' && value !== false)
      .map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

export function renderLocation(data) {
  const coordinates = Number.isFinite(data.longitude) && Number.isFinite(data.latitude)
    ? `${data.longitude.toFixed(6)}, ${data.latitude.toFixed(6)}` : null;
  return h('section', { class: 'panel', 'aria-labelledby': 'location-heading' },
    h('h2', { id: 'location-heading', class: 'section-title' }, t('case.location')),
    factList([
      [t('case.camera'), h('span', {}, data.cameraName ?? '', ' ', h('span', { class: 'muted mono' }, data.cameraId))],
      [t('case.address'), data.address],
      [t('case.coordinates'), coordinates && h('span', { class: 'mono' }, coordinates)],
      [t('case.gridCode'), data.gridCode && h('span', { class: 'mono' }, data.gridCode)],
      [t('case.zone'), data.zoneId && h('span', {}, zoneLabel(data.zoneId, data.zoneName),
        data.zoneName && data.zoneName !== data.zoneId ? [' ', h('span', { class: 'muted mono' }, data.zoneId)] : null)],
    ]));
}

export function renderDetection(data) {
  return h('section', { class: 'panel', 'aria-labelledby': 'detection-heading' },
    h('h2', { id: 'detection-heading', class: 'section-title' }, t('case.detection')),
    factList([
      [t('case.confidence'), h('strong', { class: 'confidence' }, formatPercent(data.confidence))],
      [t('case.objectClass'), objectClassName(data.objectClass)],
      [t('case.dwellSeconds'), formatDuration(data.dwellSeconds)],
      [t('case.startedAt'), formatDateTime(data.startedAt, caseOffset(data))],
      [t('case.confirmedAt'), formatLocalIso(data.confirmedAtLocal, data.confirmedAt)],
    ]));
}

export function renderRule(rule) {
  if (!rule) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'rule-heading' },
    h('h2', { id: 'rule-heading', class: 'section-title' }, t('case.rule')),
    factList([
      [t('case.ruleName'), h('span', {}, rule.name ?? '', ' ', h('span', { class: 'muted mono' }, rule.id))],
      [t('case.ruleVersion'), rule.version && h('span', { class: 'mono' }, rule.version)],
      [t('case.ruleType'), rule.type && violationName(rule.type)],
      [t('case.ruleDwell'), rule.dwellSeconds !== undefined && rule.dwellSeconds !== null && formatDuration(rule.dwellSeconds)],
      [t('case.ruleCooldown'), rule.cooldownSeconds !== undefined && rule.cooldownSeconds !== null && formatDuration(rule.cooldownSeconds)],
      [t('case.ruleMinConfidence'), rule.minConfidence !== undefined && rule.minConfidence !== null && formatPercent(rule.minConfidence)],
      [t('case.ruleClasses'), (rule.classes ?? []).map(objectClassName).join('、')],
      [t('case.ruleZones'), (rule.zones ?? []).map((zone, i) => zoneLabel(zone, rule.zoneNames?.[i])).join('、')],
      [t('case.ruleSchedule'), describeSchedule(rule.schedule)],
    ]));
}

function describeSchedule(schedule) {
  if (schedule === null || schedule === undefined || schedule === '') return null;
  if (typeof schedule === 'string') return schedule;
  if (Array.isArray(schedule)) return schedule.map(describeSchedule).join('；');
  return h('code', { class: 'mono' }, JSON.stringify(schedule));
}

export function renderDispatch(dispatch) {
  if (!dispatch) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'dispatch-heading' },
    h('h2', { id: 'dispatch-heading', class: 'section-title' }, t('case.dispatch')),
    factList([
      [t('case.dispatchState'), hasText(`dispatchState.${dispatch.state}`) ? t(`dispatchState.${dispatch.state}`) : dispatch.state],
      [t('case.dispatchAttempts'), formatNumber(dispatch.attempts)],
      [t('case.dispatchLastError'), dispatch.lastError && h('span', { class: 'error-text' }, dispatch.lastError)],
    ]));
}

export function renderHistory(history, offset = null) {
  const entries = history ?? [];
  return h('section', { class: 'panel', 'aria-labelledby': 'history-heading' },
    h('h2', { id: 'history-heading', class: 'section-title' }, t('case.history')),
    h('table', { class: 'data-table compact history' },
      h('thead', {}, h('tr', {},
        ['case.historyStatus', 'case.historyAt', 'case.historyActor', 'case.historyReason', 'case.historyNote', 'case.historyAddress']
          .map((key) => h('th', { scope: 'col' }, t(key))))),
      h('tbody', {}, entries.map((entry) => h('tr', {},
        h('td', {}, statusBadge(entry.status)),
        h('td', { class: 'nowrap' }, h('time', { datetime: entry.at }, formatDateTime(entry.at, offset))),
        h('td', {}, entry.actor || t('case.system')),
        h('td', {}, rejectReasonName(entry.reason)),
        h('td', {}, entry.note ?? '', entry.changedFrom
          ? h('div', { class: 'history-change' }, t('case.historyChange', { status: statusName(entry.changedFrom), reason: entry.changeReason ?? '' }))
          : null),
        h('td', { class: 'mono' }, entry.address ?? ''))))));
}
