// Zone editor (/zones/<camera-id>): the camera's latest frame with its zones drawn over it (SVG sized to the image);
// corners are dragged with the mouse or moved with the keyboard, and Save writes the camera's zones file after the
// server's config loader accepted it. The running service applies the file by its hot reload.
import { h, replaceChildren, withCacheBust } from './dom.js';
import { t, violationName } from './i18n.js';
import { getJson, request, describeError, isSilentError, ApiError } from './api.js';
import { formatDateTime } from './format.js';
import { showToast } from './toast.js';
import { Screen } from './screen.js';

const SVG = 'http://www.w3.org/2000/svg';
const STEP = 0.01, FINE_STEP = 0.001;
const NEW_ZONE = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]];

export function mountZones(view, { params, footer }) {
  const editor = new ZoneEditor(view, footer, params.id);
  return () => editor.destroy();
}

function svg(tag, attributes = {}) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  return element;
}

const clamp = (value) => Math.min(1, Math.max(0, value));
const round = (value) => Math.round(value * 10000) / 10000;

class ZoneEditor {
  constructor(view, footer, cameraId) {
    this.cameraId = cameraId;
    this.api = `/api/cameras/${encodeURIComponent(cameraId)}`;
    this.zones = [];
    this.rules = [];
    this.selectedZone = -1;
    this.selectedCorner = -1;
    this.drag = null;
    this.size = { width: 1280, height: 720 };
    this.screen = new Screen(view, footer, {
      name: 'zones',
      title: t('zones.title'),
      aside: [h('a', { href: '/cameras' }, t('zones.backToCameras'))],
      keys: [['Tab', 'zones.keyTab'], ['← ↑ → ↓', 'zones.keyArrows'], ['Insert / A', 'zones.keyAdd'], ['Delete', 'zones.keyDelete']],
      errorId: 'zones-message',
    });
    this.readOnly = h('p', { class: 'read-only-note', id: 'zones-read-only', role: 'note', hidden: true });
    this.image = h('img', { class: 'zone-frame', id: 'zone-frame', alt: t('zones.frameAlt') });
    this.overlay = svg('svg', { id: 'zone-overlay', class: 'zone-overlay', tabindex: '0', role: 'application', 'aria-label': t('zones.overlayLabel'), 'aria-describedby': 'zone-status' });
    this.stage = h('div', { class: 'zone-stage', id: 'zone-stage', dataset: { frame: 'loading' } }, this.image, this.overlay);
    this.status = h('p', { class: 'zone-status muted', id: 'zone-status', 'aria-live': 'polite' });
    this.zoneList = h('ul', { class: 'zone-list', id: 'zone-list' });
    this.newId = h('input', { id: 'new-zone-id', name: 'new-zone-id', autocomplete: 'off', pattern: '[A-Za-z0-9_-]+', placeholder: 'kerb-east' });
    this.newName = h('input', { id: 'new-zone-name', name: 'new-zone-name', autocomplete: 'off' });
    this.addForm = h('form', { class: 'zone-add', id: 'zone-add', onSubmit: (event) => { event.preventDefault(); this.addZone(); } },
      h('h2', {}, t('zones.addZone')),
      h('label', { for: 'new-zone-id' }, t('zones.zoneId')), this.newId,
      h('label', { for: 'new-zone-name' }, t('zones.zoneName')), this.newName,
      h('button', { type: 'submit', class: 'button', id: 'add-zone' }, t('zones.addZoneSubmit')));
    this.saveButton = h('button', { type: 'button', class: 'button primary', id: 'save-zones', onClick: () => this.save() }, t('zones.save'));
    this.reloadFrame = h('button', { type: 'button', class: 'button', id: 'reload-frame', onClick: () => this.loadFrame() }, t('zones.reloadFrame'));
    this.changes = h('div', { id: 'zone-changes' });
    this.screen.show(this.screen.section(
      this.readOnly,
      this.screen.errorLine,
      h('div', { class: 'zone-editor' },
        h('div', { class: 'zone-main' }, this.stage, this.status),
        h('div', { class: 'zone-panel' },
          h('h2', {}, t('zones.zones')), this.zoneList,
          h('div', { class: 'zone-actions' }, this.saveButton, this.reloadFrame),
          this.addForm)),
      h('section', { class: 'zone-history', 'aria-labelledby': 'zone-changes-heading' },
        h('h2', { id: 'zone-changes-heading' }, t('zones.changes')), this.changes)));

    this.image.addEventListener('load', () => {
      this.size = { width: this.image.naturalWidth, height: this.image.naturalHeight };
      this.stage.dataset.frame = 'loaded';
      this.draw();
    });
    this.image.addEventListener('error', () => { this.stage.dataset.frame = 'missing'; this.image.alt = t('zones.noFrame'); this.draw(); });
    this.overlay.addEventListener('keydown', (event) => this.onKey(event));
    this.overlay.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.overlay.addEventListener('pointermove', (event) => this.onPointerMove(event));
    this.overlay.addEventListener('pointerup', () => this.endDrag());
    this.overlay.addEventListener('pointercancel', () => this.endDrag());
    this.load();
  }

  destroy() {
    this.screen.stop();
  }

  async load() {
    try {
      this.show(await getJson(`${this.api}/zones`));
      this.loadFrame();
    } catch (error) {
      if (!this.screen.showError(error)) return;
    }
    this.screen.ready();
  }

  loadFrame() {
    this.stage.dataset.frame = 'loading';
    this.image.src = withCacheBust(`${this.api}/frame.jpg`, Date.now());
  }

  show(data) {
    this.version = data.version;
    this.editable = data.editable;
    this.rules = data.rules;
    this.zones = data.zones.map((zone) => ({ id: zone.id, name: zone.name, points: zone.points.map((p) => [p[0], p[1]]) }));
    if (this.selectedZone >= this.zones.length) this.selectedZone = -1;
    if (this.selectedZone < 0 && this.zones.length) this.selectedZone = 0;
    this.selectedCorner = this.selectedZone >= 0 ? Math.min(Math.max(this.selectedCorner, 0), this.zones[this.selectedZone].points.length - 1) : -1;
    this.screen.heading.textContent = `${t('zones.title')} · ${data.cameraName || data.cameraId}`;
    this.readOnly.hidden = data.editable;
    this.readOnly.textContent = data.editable ? '' : t('zones.readOnly', { file: `zones/${data.cameraId}.yaml` });
    this.stage.dataset.editable = data.editable ? '1' : '0';
    this.saveButton.disabled = !data.editable;
    for (const control of this.addForm.querySelectorAll('input, button')) control.disabled = !data.editable;
    this.renderChanges(data.changes);
    // The config on disk does not load (an edit in progress): the zones shown are the running ones, and a save would be refused with the same words.
    if (data.configProblem) this.screen.showMessage(`${t('zones.configProblem')}${t('app.colon')}${data.configProblem}`);
    this.draw();
  }

  rulesOf(zoneId) {
    return this.rules.filter((rule) => rule.zones.includes(zoneId));
  }

  // ---- drawing ----

  draw() {
    const { width, height } = this.size;
    this.overlay.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.stage.style.aspectRatio = `${width} / ${height}`;
    const radius = Math.max(4, width / 140), font = Math.max(12, width / 55);
    this.overlay.replaceChildren();
    this.zones.forEach((zone, zoneIndex) => {
      const selected = zoneIndex === this.selectedZone;
      const group = svg('g', { class: `zone${selected ? ' selected' : ''}`, 'data-zone-id': zone.id });
      const points = zone.points.map(([x, y]) => `${x * width},${y * height}`).join(' ');
      group.append(svg('polygon', { class: 'zone-shape', points, 'data-zone-index': zoneIndex, 'stroke-width': radius / 3 }));
      if (selected && this.editable) {
        zone.points.forEach(([x, y], i) => {
          const [nx, ny] = zone.points[(i + 1) % zone.points.length];
          group.append(svg('line', { class: 'zone-edge', x1: x * width, y1: y * height, x2: nx * width, y2: ny * height, 'data-edge': i, 'stroke-width': radius * 1.6 }));
        });
      }
      const [cx, cy] = centroid(zone.points);
      const label = svg('text', { class: 'zone-label', x: cx * width, y: cy * height, 'font-size': font, 'text-anchor': 'middle' });
      label.textContent = zone.name || zone.id;
      const rules = this.rulesOf(zone.id);
      const ruleLine = svg('tspan', { x: cx * width, dy: font * 1.2, class: 'zone-rules', 'font-size': font * 0.8 });
      ruleLine.textContent = rules.length ? rules.map((r) => r.name || r.id).join('、') : t('zones.noRules');
      label.append(ruleLine);
      group.append(label);
      if (selected) {
        zone.points.forEach(([x, y], i) => {
          group.append(svg('circle', {
            class: `corner${i === this.selectedCorner ? ' selected' : ''}`, cx: x * width, cy: y * height, r: radius,
            'data-zone-id': zone.id, 'data-index': i,
          }));
        });
      }
      this.overlay.append(group);
    });
    this.renderList();
    this.renderStatus();
  }

  renderList() {
    replaceChildren(this.zoneList, this.zones.length ? this.zones.map((zone, index) => {
      const rules = this.rulesOf(zone.id);
      return h('li', { class: index === this.selectedZone ? 'selected' : null, 'data-zone-id': zone.id },
        h('button', { type: 'button', class: 'button link-button zone-select', 'aria-pressed': String(index === this.selectedZone), onClick: () => this.selectZone(index) },
          zone.name || zone.id, ' ', h('span', { class: 'muted mono' }, zone.id)),
        h('p', { class: 'zone-rule-line muted', 'data-rules': rules.map((r) => r.id).join(' ') },
          t('zones.usedBy'), t('app.colon'),
          rules.length ? rules.map((r) => `${r.name || r.id}（${violationName(r.type)}）`).join('、') : t('zones.noRules')),
        this.editable && h('button', { type: 'button', class: 'button delete-zone', onClick: () => this.deleteZone(index) }, t('zones.deleteZone')));
    }) : h('li', { class: 'muted' }, t('zones.empty')));
  }

  renderStatus() {
    const zone = this.zones[this.selectedZone];
    if (!zone) {
      this.status.textContent = t('zones.noneSelected');
      return;
    }
    const point = zone.points[this.selectedCorner];
    this.status.textContent = point
      ? t('zones.cornerStatus', { zone: zone.name || zone.id, n: this.selectedCorner + 1, count: zone.points.length, x: point[0].toFixed(3), y: point[1].toFixed(3) })
      : t('zones.zoneStatus', { zone: zone.name || zone.id, count: zone.points.length });
  }

  renderChanges(changes) {
    if (!changes?.length) {
      replaceChildren(this.changes, h('p', { class: 'muted' }, t('zones.noChanges')));
      return;
    }
    replaceChildren(this.changes, h('table', { class: 'data-table', id: 'zone-changes-table' },
      h('thead', {}, h('tr', {}, [t('zones.changeAt'), t('zones.changeBy'), t('zones.changeAddress'), t('zones.changeWhat')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, changes.map((change) => h('tr', {},
        h('td', {}, formatDateTime(change.at)),
        h('td', {}, change.username),
        h('td', { class: 'mono' }, change.address ?? ''),
        h('td', {}, describeChange(change.before, change.after)))))));
  }

  // ---- editing ----

  selectZone(index) {
    this.selectedZone = index;
    this.selectedCorner = 0;
    this.draw();
    this.overlay.focus();
  }

  addZone() {
    const id = this.newId.value.trim();
    if (!id) {
      this.screen.showMessage(t('zones.idRequired'));
      this.newId.focus();
      return;
    }
    this.zones.push({ id, name: this.newName.value.trim() || id, points: NEW_ZONE.map((p) => [...p]) });
    this.newId.value = '';
    this.newName.value = '';
    this.selectZone(this.zones.length - 1);
  }

  deleteZone(index) {
    this.zones.splice(index, 1);
    this.selectedZone = this.zones.length ? Math.min(index, this.zones.length - 1) : -1;
    this.selectedCorner = this.selectedZone >= 0 ? 0 : -1;
    this.draw();
  }

  addCornerAfter(index, point) {
    const zone = this.zones[this.selectedZone];
    if (!zone) return;
    const next = zone.points[(index + 1) % zone.points.length];
    const at = point ?? [(zone.points[index][0] + next[0]) / 2, (zone.points[index][1] + next[1]) / 2];
    zone.points.splice(index + 1, 0, [round(at[0]), round(at[1])]);
    this.selectedCorner = index + 1;
    this.draw();
  }

  deleteCorner() {
    const zone = this.zones[this.selectedZone];
    if (!zone || this.selectedCorner < 0) return;
    zone.points.splice(this.selectedCorner, 1);
    this.selectedCorner = zone.points.length ? Math.min(this.selectedCorner, zone.points.length - 1) : -1;
    this.draw();
  }

  moveCorner(dx, dy) {
    const point = this.zones[this.selectedZone]?.points[this.selectedCorner];
    if (!point) return;
    point[0] = round(clamp(point[0] + dx));
    point[1] = round(clamp(point[1] + dy));
    this.draw();
  }

  onKey(event) {
    if (!this.editable || event.ctrlKey || event.metaKey || event.altKey) return;
    const zone = this.zones[this.selectedZone];
    if (!zone) return;
    const step = event.shiftKey ? FINE_STEP : STEP;
    const count = zone.points.length;
    const action = {
      ArrowLeft: () => this.moveCorner(-step, 0),
      ArrowRight: () => this.moveCorner(step, 0),
      ArrowUp: () => this.moveCorner(0, -step),
      ArrowDown: () => this.moveCorner(0, step),
      Delete: () => this.deleteCorner(),
      Backspace: () => this.deleteCorner(),
      Insert: () => this.addCornerAfter(Math.max(0, this.selectedCorner)),
      a: () => this.addCornerAfter(Math.max(0, this.selectedCorner)),
      Tab: () => {
        // Walks the corners; past the last (or before the first) the focus leaves the drawing as usual.
        const next = this.selectedCorner + (event.shiftKey ? -1 : 1);
        if (next < 0 || next >= count) return false;
        this.selectedCorner = next;
        this.draw();
        return true;
      },
    }[event.key];
    if (!action) return;
    if (action() === false) return;
    event.preventDefault();
  }

  onPointerDown(event) {
    if (!this.editable) return;
    const target = event.target;
    if (target.classList.contains('corner')) {
      this.selectedCorner = Number(target.dataset.index);
      this.drag = { pointerId: event.pointerId };
      this.overlay.setPointerCapture(event.pointerId);
      event.preventDefault();
      this.overlay.focus();
      this.draw();
    } else if (target.classList.contains('zone-edge')) {
      this.addCornerAfter(Number(target.dataset.edge), this.toImage(event));
      this.drag = { pointerId: event.pointerId };
      this.overlay.setPointerCapture(event.pointerId);
      event.preventDefault();
      this.overlay.focus();
    } else if (target.classList.contains('zone-shape')) {
      this.selectZone(Number(target.dataset.zoneIndex));
    }
  }

  onPointerMove(event) {
    if (!this.drag || event.pointerId !== this.drag.pointerId) return;
    const point = this.zones[this.selectedZone]?.points[this.selectedCorner];
    if (!point) return;
    const [x, y] = this.toImage(event);
    point[0] = round(x);
    point[1] = round(y);
    this.draw();
  }

  endDrag() {
    this.drag = null;
  }

  toImage(event) {
    const box = this.overlay.getBoundingClientRect();
    return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
  }

  // ---- saving ----

  async save() {
    this.screen.hideError();
    this.saveButton.disabled = true;
    try {
      const saved = await request('PUT', `${this.api}/zones`, { body: { version: this.version, zones: this.zones } });
      this.show(saved);
      this.stage.dataset.saved = saved.version;
      showToast(t('zones.saved'), 'success');
    } catch (error) {
      if (isSilentError(error)) return;
      const detail = error instanceof ApiError ? error.body?.message : null;
      const summary = error instanceof ApiError && error.status === 409 ? t('zones.changedMeanwhile') : t('zones.refused');
      this.screen.showMessage(detail ? `${summary}${t('app.colon')}${detail}` : describeError(error));
    } finally {
      this.saveButton.disabled = !this.editable;
    }
  }

}

function centroid(points) {
  const n = points.length || 1;
  return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
}

/** "table-top：4 → 5 个角点" for each zone that changed, added or removed. */
function describeChange(before, after) {
  const byId = (zones) => new Map((zones ?? []).map((z) => [z.id, z]));
  const was = byId(before), now = byId(after);
  const parts = [];
  for (const [id, zone] of now) {
    const old = was.get(id);
    if (!old) parts.push(t('zones.changeAdded', { zone: id, count: zone.points.length }));
    else if (JSON.stringify(old) !== JSON.stringify(zone)) parts.push(t('zones.changeEdited', { zone: id, from: old.points.length, to: zone.points.length }));
  }
  for (const id of was.keys()) if (!now.has(id)) parts.push(t('zones.changeRemoved', { zone: id }));
  return parts.length ? parts.join('；') : t('zones.changeNone');
}
