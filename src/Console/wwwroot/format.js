// Formatting of times, durations and numbers for display.
import { getLanguage } from './i18n.js';

const pad = (number) => String(number).padStart(2, '0');

/**
 * "2026-11-23 15:41:56". offsetMinutes (east of UTC) shows the time as the camera's street saw it;
 * without it the browser's time zone is used. "" for no value.
 */
export function formatDateTime(value, offsetMinutes = null) {
  const parts = clockParts(value, offsetMinutes);
  return parts ? `${parts.date} ${parts.time}` : '';
}

/** "15:41:56", with the same time-zone rule as formatDateTime. */
export function formatTime(value, offsetMinutes = null) {
  return clockParts(value, offsetMinutes)?.time ?? '';
}

function clockParts(value, offsetMinutes) {
  const date = toDate(value);
  if (!date) return null;
  if (offsetMinutes === null || offsetMinutes === undefined) {
    return {
      date: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`,
      time: `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`,
    };
  }
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  return {
    date: `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`,
    time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`,
  };
}

function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The UTC offset in minutes of an ISO time with one ("…+08:00" → 480, "…Z" → 0), or null. */
export function offsetMinutesOf(localIso) {
  const match = typeof localIso === 'string' && /(?:([+-])(\d{2}):?(\d{2})|Z)$/.exec(localIso);
  if (!match) return null;
  if (!match[1]) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * A camera-local ISO time ("2026-11-23T15:41:56.400+08:00") shown as its own wall-clock time,
 * so officers see the time the camera's street saw; falls back to the instant in local time.
 */
export function formatLocalIso(localIso, instant) {
  const match = typeof localIso === 'string' && /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(localIso);
  if (match) return `${match[1]} ${match[2]}`;
  return formatDateTime(localIso || instant);
}

/** ISO instant → value for <input type="datetime-local"> in local time. */
export function toLocalInputValue(iso) {
  const date = toDate(iso);
  if (!date) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** <input type="datetime-local"> value (local time) → ISO instant, or "" when empty or invalid. */
export function fromLocalInputValue(value) {
  const date = toDate(value);
  return date ? date.toISOString() : '';
}

/** 0.873 → "87%"; null → "—". */
export function formatPercent(fraction, digits = 0) {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** 372.4 → "6 分 12 秒" / "6 min 12 s". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const parts = getLanguage() === 'zh'
    ? [hours && `${hours} 小时`, (hours || minutes) && `${minutes} 分`, `${rest} 秒`]
    : [hours && `${hours} h`, (hours || minutes) && `${minutes} min`, `${rest} s`];
  return parts.filter(Boolean).join(' ');
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return Number(value).toFixed(digits);
}
