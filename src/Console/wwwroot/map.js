// Map (/map): every camera with coordinates as a point on a plain SVG (no tiles, works offline), sized and coloured by
// its open cases; hovering or focusing a point tells its name, node, state and open cases, and following it opens the
// queue of that camera. Cameras without coordinates are listed beside the map.
import { h, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { getJson } from './api.js';
import { formatTime, formatNumber } from './format.js';
import { navigate } from './router.js';
import { Screen } from './screen.js';
import { cameraStateName } from './cameras.js';
import { defaultFilter, queueAddress } from './queue-context.js';

const SVG = 'http://www.w3.org/2000/svg';
const METRES_PER_DEGREE = 111_320; // along a meridian, and along the equator (WGS-84, near enough for a scale bar)
const MIN_SPAN_DEGREES = 0.002; // one camera, or cameras on one spot, still get a street-sized map (about 200 m)
const MARGIN = 0.12; // of the span, on each side, so points and their rings stay inside
const MAX_WIDE = 2.2; // width / height bounds: a street of cameras is not drawn as a thin strip…
const MAX_TALL = 0.8; // …nor a north–south one as a tower taller than the screen
const MANY_OPEN = 5;

export function mountMap(view, { footer }) {
  const screen = new MapScreen(view, footer);
  return () => screen.destroy();
}

class MapScreen {
  constructor(view, footer) {
    this.summary = h('p', { class: 'muted' });
    this.screen = new Screen(view, footer, { name: 'map', title: t('map.title'), aside: [this.summary] });
    this.body = h('div', { class: 'map-layout' });
    this.screen.show(this.screen.section(this.screen.errorLine, this.body));
    this.onKeyDown = (event) => { if (event.key === 'Escape') this.hideTip(); };
    document.addEventListener('keydown', this.onKeyDown);
    this.load();
  }

  destroy() {
    this.screen.stop();
    document.removeEventListener('keydown', this.onKeyDown);
  }

  async load() {
    try {
      const data = await getJson('/api/console/map');
      if (this.screen.stopped) return;
      this.render(data);
    } catch (error) {
      if (!this.screen.showError(error)) return;
    }
    this.screen.ready();
  }

  render({ cameras, unlocated }) {
    const open = [...cameras, ...unlocated].reduce((sum, camera) => sum + camera.open, 0);
    this.summary.textContent = `${t('map.summary', { located: cameras.length, unlocated: unlocated.length, open })} · ${t('map.updated', { time: formatTime(Date.now()) })}`;
    this.tip = h('div', { class: 'map-tip', id: 'map-tip', 'aria-hidden': 'true', hidden: true });
    replaceChildren(this.body, cameras.length ? this.renderFigure(cameras) : h('p', { class: 'muted map-empty' }, t('map.empty')), renderUnlocated(unlocated));
  }

  /** The drawing, with north and the scale below it (not on it, where they could hide a camera), and the legend. */
  renderFigure(cameras) {
    const frame = fit(cameras);
    const figure = h('div', { class: 'map-figure' }, this.renderCanvas(cameras, frame), scaleBar(frame), renderLegend());
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    figure.style.setProperty('--map-aspect', String(frame.aspect));
    return figure;
  }

  renderCanvas(cameras, frame) {
    const canvas = h('div', { class: 'map-canvas' });
    const drawing = svg('svg', { class: 'camera-map', role: 'group', 'aria-label': t('map.label') },
      svg('rect', { class: 'map-ground', x: '0', y: '0', width: '100%', height: '100%' }),
      gridLines());
    // Larger points first, so a small one on top of a large one can still be hovered and clicked.
    const ordered = [...cameras].sort((a, b) => b.open - a.open || a.id.localeCompare(b.id));
    for (const camera of ordered) drawing.append(this.renderPoint(camera, frame.place(camera)));
    canvas.append(drawing, this.tip);
    return canvas;
  }

  renderPoint(camera, { x, y }) {
    const href = queueAddress({ ...defaultFilter(), camera: camera.id });
    const r = radius(camera.open);
    const online = camera.state === 'online';
    const point = svg('a', {
      href,
      tabindex: '0', // SVG links are focusable; said outright so every browser puts them in the tab order
      class: `map-point open-${band(camera.open)}${online ? '' : ' not-online'}`,
      'data-camera-id': camera.id,
      'data-open': String(camera.open),
      'aria-label': describeCamera(camera),
    },
    svg('circle', { class: 'map-dot', cx: `${x}%`, cy: `${y}%`, r: String(r) }),
    camera.open > 0 && svg('text', { class: 'map-count', x: `${x}%`, y: `${y}%`, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, formatNumber(camera.open)));
    const show = () => this.showTip(camera, x, y, r);
    point.addEventListener('mouseenter', show);
    point.addEventListener('focus', show);
    point.addEventListener('mouseleave', () => { if (document.activeElement !== point) this.hideTip(); });
    point.addEventListener('blur', () => this.hideTip());
    point.addEventListener('click', (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault(); // the shell's link handler does not know SVG links
      navigate(href);
    });
    return point;
  }

  showTip(camera, x, y, r) {
    replaceChildren(this.tip,
      h('strong', {}, camera.name || camera.id), ' ', h('span', { class: 'muted mono' }, camera.id),
      h('br'),
      h('span', { class: `state-badge state-${camera.state}` }, cameraStateName(camera.state)),
      camera.node && [' ', t('cameras.node'), t('app.colon'), camera.node],
      h('br'),
      t('map.openCases'), t('app.colon'), t('map.openDetail', { open: camera.open, pending: camera.pending, confirmed: camera.confirmed }),
      h('br'),
      h('span', { class: 'muted' }, t('map.openQueue')));
    // Anchored beside the point, on whichever side keeps it inside the map (and the phone's screen).
    this.tip.classList.toggle('to-left', x > 55);
    this.tip.classList.toggle('below', y < 40);
    this.tip.style.left = x > 55 ? '' : `${x}%`;
    this.tip.style.right = x > 55 ? `${100 - x}%` : '';
    this.tip.style.top = `${y}%`;
    this.tip.style.setProperty('--point-radius', `${r}px`);
    this.tip.dataset.cameraId = camera.id;
    this.tip.hidden = false;
  }

  hideTip() {
    if (this.tip) this.tip.hidden = true;
  }
}

/**
 * Equirectangular projection around the cameras' middle latitude (east–west distances shrink by its cosine), fitted
 * to their bounding box with a margin: place(camera) gives x and y in percent of the map's width and height.
 */
function fit(cameras) {
  const lats = cameras.map((c) => c.lat), lons = cameras.map((c) => c.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const shrink = Math.cos((midLat * Math.PI) / 180);
  const xs = lons.map((lon) => lon * shrink);
  let [left, right] = padded(Math.min(...xs), Math.max(...xs));
  let [bottom, top] = padded(Math.min(...lats), Math.max(...lats));
  // Keep the drawing's proportions within bounds by widening the narrower side about its middle.
  let width = right - left, height = top - bottom;
  if (width / height > MAX_WIDE) [bottom, top] = widen(bottom, top, width / MAX_WIDE);
  else if (width / height < MAX_TALL) [left, right] = widen(left, right, height * MAX_TALL);
  width = right - left;
  height = top - bottom;
  return {
    aspect: width / height,
    metresWide: width * METRES_PER_DEGREE,
    place: (camera) => ({
      x: round(((camera.lon * shrink - left) / width) * 100),
      y: round(((top - camera.lat) / height) * 100),
    }),
  };
}

function padded(low, high) {
  const span = Math.max(high - low, MIN_SPAN_DEGREES);
  const middle = (low + high) / 2;
  return [middle - span * (0.5 + MARGIN), middle + span * (0.5 + MARGIN)];
}

function widen(low, high, span) {
  const middle = (low + high) / 2;
  return [middle - span / 2, middle + span / 2];
}

const round = (value) => Math.round(value * 100) / 100;

/** Points grow with the square root of their open cases (area ∝ cases), from 7 px to 22 px. */
function radius(open) {
  return Math.min(22, 7 + 3 * Math.sqrt(open));
}

function band(open) {
  if (open === 0) return 'none';
  return open < MANY_OPEN ? 'some' : 'many';
}

function describeCamera(camera) {
  return [
    camera.name || camera.id,
    cameraStateName(camera.state),
    camera.node && `${t('cameras.node')}${t('app.colon')}${camera.node}`,
    `${t('map.openCases')}${t('app.colon')}${t('map.openDetail', { open: camera.open, pending: camera.pending, confirmed: camera.confirmed })}`,
    t('map.openQueue'),
  ].filter(Boolean).join(t('map.separator'));
}

function gridLines() {
  const lines = [];
  for (let i = 1; i < 4; i++) {
    lines.push(svg('line', { class: 'map-grid', x1: `${i * 25}%`, y1: '0', x2: `${i * 25}%`, y2: '100%' }));
    lines.push(svg('line', { class: 'map-grid', x1: '0', y1: `${i * 25}%`, x2: '100%', y2: `${i * 25}%` }));
  }
  return svg('g', { 'aria-hidden': 'true' }, lines);
}

/** North, and a bar of a round length (1, 2 or 5 × 10ⁿ m) at most a quarter of the map's width; the bar's width is a share of the figure's, as the map's. */
function scaleBar(frame) {
  const target = frame.metresWide / 4;
  const power = 10 ** Math.floor(Math.log10(target));
  const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= target) ?? power;
  const label = metres >= 1000 ? t('map.kilometres', { n: formatNumber(metres / 1000) }) : t('map.metres', { n: formatNumber(metres) });
  const bar = h('span', { class: 'map-scale-bar' });
  bar.style.width = `${round((metres / frame.metresWide) * 100)}%`;
  return h('div', { class: 'map-scale', 'aria-hidden': 'true' }, bar, h('span', {}, label), h('span', { class: 'map-north' }, `↑ ${t('map.north')}`));
}

function renderLegend() {
  const swatch = (kind) => h('span', { class: `legend-swatch open-${kind}`, 'aria-hidden': 'true' });
  return h('ul', { class: 'map-legend', 'aria-label': t('map.legend') },
    h('li', {}, swatch('none'), t('map.legendNone')),
    h('li', {}, swatch('some'), t('map.legendSome', { n: MANY_OPEN - 1 })),
    h('li', {}, swatch('many'), t('map.legendMany', { n: MANY_OPEN })),
    h('li', {}, h('span', { class: 'legend-swatch open-none not-online', 'aria-hidden': 'true' }), t('map.legendNotOnline')),
    h('li', { class: 'muted' }, t('map.legendSize')));
}

function renderUnlocated(cameras) {
  return h('section', { class: 'map-unlocated panel', 'aria-labelledby': 'map-unlocated-heading' },
    h('h2', { class: 'section-title', id: 'map-unlocated-heading' }, t('map.unlocated')),
    cameras.length
      ? h('ul', { id: 'unlocated-cameras' }, cameras.map((camera) => h('li', { 'data-camera-id': camera.id },
        h('a', { href: queueAddress({ ...defaultFilter(), camera: camera.id }) }, camera.name || camera.id),
        ' ', h('span', { class: 'muted mono' }, camera.id),
        ' ', h('span', { class: `state-badge state-${camera.state}` }, cameraStateName(camera.state)),
        camera.node && h('span', { class: 'muted' }, ' ', camera.node),
        h('br'),
        h('span', { class: 'muted' }, t('map.openCases'), t('app.colon'), t('map.openDetail', { open: camera.open, pending: camera.pending, confirmed: camera.confirmed })))))
      : h('p', { class: 'muted' }, t('map.allLocated')));
}

/** An SVG element (h() makes HTML ones); children as in h(). */
function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  const append = (child) => {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(append);
    else element.append(child instanceof Node ? child : String(child));
  };
  children.forEach(append);
  return element;
}
