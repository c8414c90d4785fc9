// Cameras (/cameras): one card per camera with its state, last frame, fps and last case; refreshed every 5 s.
import { h, replaceChildren, withCacheBust } from './dom.js';
import { t, hasText, violationName } from './i18n.js';
import { getJson, CAMERAS_API } from './api.js';
import { formatDateTime, formatTime, formatNumber } from './format.js';
import { Screen } from './screen.js';

const REFRESH_MS = 5000;

export function mountCameras(view, { footer }) {
  const screen = new CamerasScreen(view, footer);
  return () => screen.destroy();
}

export function cameraStateName(state) {
  return hasText(`cameraState.${state}`) ? t(`cameraState.${state}`) : state;
}

class CamerasScreen {
  constructor(view, footer) {
    this.cards = new Map(); // camera id → { element, signature, image, placeholder }
    this.timer = 0;
    this.loading = false;
    this.summary = h('p', { class: 'muted', 'aria-live': 'off' });
    this.screen = new Screen(view, footer, { name: 'cameras', title: t('cameras.title'), aside: [this.summary] });
    this.grid = h('div', { class: 'camera-grid', id: 'cameras' });
    this.screen.show(this.screen.section(this.screen.errorLine, this.grid));
    // A hidden tab does not poll; coming back refreshes at once.
    this.onVisibilityChange = () => { if (!document.hidden) this.refresh(); };
    document.addEventListener('visibilitychange', this.onVisibilityChange);
    this.refresh();
  }

  destroy() {
    this.screen.stop();
    clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisibilityChange);
  }

  /** Loads once, then schedules the next load after this one finishes, so slow answers never pile up. */
  async refresh() {
    clearTimeout(this.timer);
    if (this.loading) return;
    this.loading = true;
    try {
      const cameras = await getJson(CAMERAS_API);
      if (this.screen.stopped) return;
      this.render(cameras);
      this.screen.hideError();
    } catch (error) {
      if (!this.screen.showError(error)) return;
    } finally {
      this.loading = false;
    }
    this.screen.ready();
    if (!this.screen.stopped && !document.hidden) this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  render(cameras) {
    const stamp = Date.now();
    const seen = new Set();
    const ordered = cameras.map((camera) => {
      seen.add(camera.id);
      const card = this.cards.get(camera.id) ?? this.createCard(camera);
      this.updateCard(card, camera, stamp);
      return card.element;
    });
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.element.remove();
        this.cards.delete(id);
      }
    }
    if (ordered.length) replaceChildren(this.grid, ordered);
    else replaceChildren(this.grid, h('p', { class: 'muted' }, t('cameras.empty')));
    this.summary.textContent = `${summarizeStates(cameras)} · ${t('cameras.updated', { time: formatTime(stamp) })}`;
  }

  createCard(camera) {
    const image = h('img', { class: 'camera-frame', alt: t('cameras.thumbnailAlt', { name: camera.name || camera.id }), width: '320', height: '180', hidden: true });
    const placeholder = h('div', { class: 'camera-frame placeholder' }, t('cameras.noThumbnail'));
    const info = h('div', { class: 'camera-info' });
    const element = h('article', { class: 'camera-card', 'data-camera-id': camera.id }, h('div', { class: 'camera-thumb' }, image, placeholder), info);
    const card = { element, info, image, placeholder, signature: '' };
    this.cards.set(camera.id, card);
    return card;
  }

  updateCard(card, camera, stamp) {
    card.element.dataset.state = camera.state;
    card.element.className = `camera-card state-${camera.state}`;
    // Rebuild the text only when it changed, so a focused "last case" link keeps its focus across refreshes.
    const signature = JSON.stringify([camera.name, camera.state, camera.stateReason, camera.fps, camera.lastCase,
      camera.source, camera.recordSource, camera.recording, camera.recordingReason, camera.node]);
    if (signature !== card.signature) {
      card.signature = signature;
      replaceChildren(card.info, renderCameraInfo(camera));
    }
    updateThumbnail(card, camera.thumbnailUrl, stamp);
  }
}

function renderCameraInfo(camera) {
  const lastCase = camera.lastCase;
  return [
    h('h2', { class: 'camera-name' }, camera.name || camera.id, ' ', h('span', { class: 'muted mono' }, camera.id)),
    h('p', { class: 'camera-state-line' },
      h('span', { class: `state-badge state-${camera.state}`, 'data-state': camera.state }, cameraStateName(camera.state)),
      ' ',
      h('span', { class: 'fps' }, t('cameras.fps', { fps: formatNumber(camera.fps, 1) }))),
    camera.stateReason && h('p', { class: 'state-reason' }, camera.stateReason),
    // Several nodes share the cameras: which one analyses this camera now.
    camera.node && h('p', { class: 'camera-node muted', 'data-node': camera.node }, t('cameras.node'), t('app.colon'), camera.node),
    camera.recording && h('p', { class: `recording-line recording-${camera.recording}`, 'data-recording': camera.recording },
      h('span', { class: 'muted' }, t('cameras.recording'), t('app.colon')),
      hasText(`recordingState.${camera.recording}`) ? t(`recordingState.${camera.recording}`) : camera.recording,
      camera.recording !== 'ok' && camera.recordingReason ? ` · ${camera.recordingReason}` : ''),
    // Two streams: which one is analysed and which recorded (credentials already removed by the server).
    camera.recordSource && h('p', { class: 'camera-streams muted mono' },
      `${t('cameras.detectStream')} ${camera.source} · ${t('cameras.recordStream')} ${camera.recordSource}`),
    h('p', { class: 'zones-link' }, h('a', { href: `/zones/${encodeURIComponent(camera.id)}`, 'data-zones-for': camera.id }, t('cameras.editZones'))),
    h('p', { class: 'last-case' },
      h('span', { class: 'muted' }, t('cameras.lastCase'), t('app.colon')),
      lastCase
        ? h('a', { href: `/cases/${encodeURIComponent(lastCase.caseId)}` },
          violationName(lastCase.violation), ' · ', formatDateTime(lastCase.confirmedAt))
        : t('cameras.noCase')),
  ];
}

/** Swaps in the new frame only once it has loaded, so the card never flashes empty. */
function updateThumbnail(card, url, stamp) {
  if (!url) {
    card.image.hidden = true;
    card.placeholder.hidden = false;
    return;
  }
  const source = withCacheBust(url, stamp);
  const loader = new Image();
  loader.addEventListener('load', () => {
    card.image.src = source;
    card.image.hidden = false;
    card.placeholder.hidden = true;
  }, { once: true });
  loader.src = source;
}

function summarizeStates(cameras) {
  const counts = new Map();
  for (const camera of cameras) counts.set(camera.state, (counts.get(camera.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${cameraStateName(state)} ${count}`).join(' · ');
}
