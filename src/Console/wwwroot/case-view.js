// The case view (/cases/{id}): evidence, facts, decisions, and keyboard-only review
// (J/K move, C confirms, R rejects, space plays, Esc returns to the queue, ? shows help).
import { h, replaceChildren, runShortcut } from './dom.js';
import { t } from './i18n.js';
import { formatDateTime } from './format.js';
import { postJson, describeError, isSilentError, ApiError } from './api.js';
import { loadCase, rememberCase, warmImages, casePhotoUrls } from './case-cache.js';
import { QueueContext, queueAddress } from './queue-context.js';
import { navigate, updateAddress } from './router.js';
import { Screen } from './screen.js';
import { showToast } from './toast.js';
import { createRejectDialog } from './reject-dialog.js';
import { createChangeDialog } from './change-dialog.js';
import {
  renderCaseHeading, renderClipArea, renderTimeline, renderPhotos, renderLocation, renderDetection,
  renderRule, renderDispatch, renderHistory, photoRoleName, rejectReasonName, caseOffset,
} from './case-render.js';

export function mountCaseView(view, { params, footer }) {
  const controller = new CaseViewController(view, footer);
  controller.show(params.id);
  return () => controller.destroy();
}

class CaseViewController {
  constructor(view, footer) {
    this.view = view;
    this.screen = new Screen(view, footer, {
      keys: [
        ['J', 'keys.case.next'], ['K', 'keys.case.prev'], ['C', 'keys.case.confirm'], ['R', 'keys.case.reject'],
        [t('keys.space'), 'keys.case.play'], ['Esc', 'keys.case.back'], ['?', 'keys.case.help'],
      ],
    });
    this.context = QueueContext.restore();
    this.caseData = null;
    this.currentId = null;
    this.showToken = 0;
    this.busy = false;
    this.video = null;
    this.nextClip = null; // { caseId, url, video } preloaded for the next case

    this.onKeyDown = (event) => this.handleKey(event);
    document.addEventListener('keydown', this.onKeyDown);

    this.rejectDialog = createRejectDialog((choice) => this.reject(choice));
    this.changeDialog = createChangeDialog();
    this.pendingChange = null; // the reason given for changing a decision, while the reject reasons are chosen
    this.helpDialog = createHelpDialog();
    this.photoDialog = createPhotoDialog();
    this.positionLabel = h('span', { class: 'case-position', 'aria-live': 'polite' });
    this.body = h('div', { class: 'case-body', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('app.loading')));
    this.preloadArea = h('div', { class: 'preload-area', 'aria-hidden': 'true' });

    this.screen.show(
      h('div', { class: 'case-view' },
        h('div', { class: 'case-topbar' },
          h('a', { href: queueAddress(this.context.filter), class: 'button link-button', onClick: (event) => { event.preventDefault(); this.backToQueue(); } },
            '← ', t('case.backToQueue'), ' ', h('kbd', {}, 'Esc')),
          this.positionLabel,
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'button', onClick: () => this.movePrevious() }, t('case.prev'), ' ', h('kbd', {}, 'K')),
          h('button', { type: 'button', class: 'button', onClick: () => this.moveNext() }, t('case.next'), ' ', h('kbd', {}, 'J'))),
        this.body),
      this.rejectDialog.element, this.changeDialog.element, this.helpDialog.element, this.photoDialog.element, this.preloadArea);
  }

  destroy() {
    this.screen.stop();
    document.removeEventListener('keydown', this.onKeyDown);
    this.showToken++;
    releaseVideo(this.video);
    releaseVideo(this.nextClip?.video);
    delete document.body.dataset.caseId;
  }

  async show(caseId) {
    const token = ++this.showToken;
    this.currentId = caseId;
    this.updatePosition();
    let caseData;
    try {
      caseData = await loadCase(caseId);
    } catch (error) {
      if (token !== this.showToken || isSilentError(error)) return;
      this.renderError(error);
      return;
    }
    if (token !== this.showToken) return; // the officer already moved on
    this.render(caseData);
    this.screen.ready();
    this.preloadNext(caseId);
  }

  /** Moves to another case without re-mounting the view (keeps the preloaded clip). */
  goTo(caseId) {
    updateAddress(`/cases/${encodeURIComponent(caseId)}`);
    this.show(caseId);
  }

  render(caseData) {
    this.caseData = caseData;
    const previousVideo = this.video;
    this.video = this.takeVideoFor(caseData);
    this.reloadIfLinksExpire(caseData);
    const dispatched = caseData.status === 'dispatched';
    this.confirmNote = h('input', {
      type: 'text', id: 'confirm-note', class: 'note-input', autocomplete: 'off', maxlength: '500',
      'aria-label': t('case.confirmNote'), placeholder: t('case.confirmNote'),
      onKeydown: (event) => { if (event.key === 'Enter' && !event.isComposing) this.confirm(); },
    });

    replaceChildren(this.body,
      h('div', { class: 'case-media' },
        renderClipArea(caseData, this.video),
        renderTimeline(caseData),
        renderPhotos(caseData, (photo) => this.photoDialog.open(photo, caseOffset(caseData)))),
      h('div', { class: 'case-side' },
        renderCaseHeading(caseData),
        h('div', { class: 'case-actions', role: 'group', 'aria-label': t('keys.title') },
          h('button', { type: 'button', id: 'confirm-button', class: 'button primary', disabled: dispatched, onClick: () => this.confirm() }, t('case.confirm'), ' ', h('kbd', {}, 'C')),
          h('button', { type: 'button', id: 'reject-button', class: 'button danger', disabled: dispatched, onClick: () => this.openReject() }, t('case.reject'), ' ', h('kbd', {}, 'R')),
          this.confirmNote),
        renderDetection(caseData),
        renderLocation(caseData),
        renderRule(caseData.rule),
        renderDispatch(caseData.dispatch),
        renderHistory(caseData.history, caseOffset(caseData))));
    this.body.setAttribute('aria-busy', 'false');

    if (previousVideo !== this.video) releaseVideo(previousVideo);
    this.screen.setTitle(t('case.title', { id: caseData.caseId }));
    document.body.dataset.caseId = caseData.caseId;
    this.updatePosition();
    // Focus left on a removed button would fall to <body>; keep it on the view so keys and screen readers stay here.
    if (!this.view.contains(document.activeElement) || document.activeElement === document.body) this.view.focus({ preventScroll: true });
  }

  renderError(error) {
    replaceChildren(this.body,
      h('div', { class: 'error-box', role: 'alert' },
        h('p', {}, t('case.loadFailed'), t('app.colon'), describeError(error)),
        h('button', { type: 'button', class: 'button', onClick: () => this.show(this.currentId) }, t('error.retry'))));
    this.body.setAttribute('aria-busy', 'false');
    delete document.body.dataset.caseId;
    this.screen.ready();
  }

  updatePosition() {
    const position = this.context.positionOf(this.currentId);
    this.positionLabel.textContent = position
      ? t('case.position', { index: position, count: Math.max(position, this.context.total) })
      : t('case.positionUnknown');
  }

  // ---- the clip ----

  /** The current <video> when re-showing the same clip, the preloaded one when it is for this case, otherwise a new one. */
  takeVideoFor(caseData) {
    const clip = caseData.clip;
    if (!clip || !clip.url) return null;
    const caseId = String(caseData.caseId);
    if (this.video && this.video.dataset.caseId === caseId && this.video.dataset.clipUrl === clip.url) return this.video;
    let video;
    if (this.nextClip && this.nextClip.caseId === caseId && this.nextClip.url === clip.url) {
      video = this.nextClip.video;
      this.nextClip = null;
    } else {
      video = h('video', { preload: 'auto', playsinline: true });
      video.src = clip.url;
    }
    video.id = 'clip';
    video.className = 'clip';
    video.dataset.caseId = caseId;
    video.dataset.clipUrl = clip.url;
    video.controls = true;
    video.preload = 'auto';
    video.setAttribute('aria-label', t('case.videoLabel'));
    seekToConfirmation(video, clip);
    return video;
  }

  async preloadNext(caseId) {
    let nextId;
    try {
      nextId = await this.context.nextId(caseId);
    } catch {
      return; // preloading is best effort; J will report real errors
    }
    if (!nextId || caseId !== this.currentId) return;
    let nextCase;
    try {
      nextCase = await loadCase(nextId);
    } catch {
      return;
    }
    if (caseId !== this.currentId) return;
    warmImages(casePhotoUrls(nextCase));
    this.preloadClip(nextCase);
  }

  /** A hidden <video> for the next clip: metadata first, the rest once the current clip has what it needs. */
  preloadClip(nextCase) {
    const clip = nextCase.clip;
    if (!clip || !clip.url) return;
    if (this.nextClip?.caseId === String(nextCase.caseId) && this.nextClip.url === clip.url) return;
    releaseVideo(this.nextClip?.video);
    const video = h('video', { preload: 'metadata', muted: true, playsinline: true });
    video.src = clip.url;
    seekToConfirmation(video, clip);
    this.preloadArea.append(video);
    this.nextClip = { caseId: String(nextCase.caseId), url: clip.url, video };

    const current = this.video;
    const loadFully = () => { video.preload = 'auto'; };
    if (!current || current.readyState >= HTMLMediaElement.HAVE_ENOUGH_DATA) loadFully();
    else current.addEventListener('canplaythrough', loadFully, { once: true });
  }

  // ---- moving between cases ----

  async moveNext() {
    const nextId = await this.safely(() => this.context.nextId(this.currentId));
    if (nextId) this.goTo(nextId);
    else if (nextId === null) showToast(t('case.lastCase'));
  }

  async movePrevious() {
    const previousId = await this.safely(() => this.context.previousId(this.currentId));
    if (previousId) this.goTo(previousId);
    else if (previousId === null) showToast(t('case.firstCase'));
  }

  /** After a decision on decidedId: its next case, or stay on it (showing its new status) when the queue is done. */
  async advance(decidedId) {
    if (decidedId !== this.currentId) return; // the officer already moved on with J/K while the decision was saved
    const nextId = await this.safely(() => this.context.nextId(decidedId));
    if (decidedId !== this.currentId) return;
    if (nextId) {
      this.goTo(nextId);
    } else if (nextId === null) {
      this.render(this.caseData);
      showToast(t('case.queueDone'), 'success');
    }
  }

  /** Runs a queue fetch; shows its error and resolves undefined when it fails. */
  async safely(action) {
    try {
      return await action();
    } catch (error) {
      if (!isSilentError(error)) showToast(describeError(error), 'error');
      return undefined;
    }
  }

  backToQueue() {
    const page = this.context.pageOf(this.currentId);
    navigate(queueAddress(this.context.filter, page), { state: { focusCaseId: this.currentId } });
  }

  // ---- decisions ----

  /** Decisions apply only to the case on screen, never to one still loading after a quick J. */
  canDecide() {
    return !this.busy && this.caseData !== null && String(this.caseData.caseId) === this.currentId;
  }

  /**
   * A decided case changes only after the reviewer confirms it and gives a reason (the change dialog).
   * Resolves { } for a case not decided yet, { changeReason } once confirmed, or null when cancelled.
   */
  async confirmChange(decision) {
    const status = this.caseData?.status;
    if (status !== 'confirmed' && status !== 'rejected') return {};
    const caseId = this.currentId;
    const reason = await this.changeDialog.ask(this.caseData, decision, caseOffset(this.caseData));
    if (reason === null || caseId !== this.currentId) return null;
    return { changeReason: reason };
  }

  /** The state the decision is made on: the server answers 409 when the case changed since it was shown. */
  decisionBody(fields, change) {
    const body = { ...fields, expectedVersion: this.caseData.version };
    if (change?.changeReason) Object.assign(body, { confirmChange: true, changeReason: change.changeReason });
    return body;
  }

  async confirm() {
    if (!this.canDecide()) return;
    const caseId = this.currentId;
    const note = this.confirmNote?.value.trim();
    this.busy = true;
    try {
      const change = await this.confirmChange('confirmed');
      if (change === null) return;
      const updated = await postJson(`/api/cases/${encodeURIComponent(caseId)}/confirm`, this.decisionBody(note ? { note } : {}, change));
      this.afterDecision(caseId, updated);
      showToast(t('case.confirmed', { id: caseId }), 'success');
      await this.advance(caseId);
    } catch (error) {
      if (!isSilentError(error)) {
        showToast(describeError(error), 'error');
        if (error instanceof ApiError && error.status === 409) this.reloadCurrent();
      }
    } finally {
      this.busy = false;
    }
  }

  async openReject() {
    if (!this.canDecide() || this.rejectDialog.isOpen()) return;
    this.busy = true;
    let change;
    try {
      change = await this.confirmChange('rejected');
    } finally {
      this.busy = false;
    }
    if (change === null || !this.canDecide()) return;
    this.pendingChange = change;
    this.rejectDialog.open();
  }

  /** Called by the reject dialog; throwing keeps the dialog open with the message. */
  async reject({ reason, note }) {
    if (!this.canDecide()) throw new Error(t('app.loading'));
    const caseId = this.currentId;
    this.busy = true;
    try {
      const fields = note ? { reason, note } : { reason };
      const updated = await postJson(`/api/cases/${encodeURIComponent(caseId)}/reject`, this.decisionBody(fields, this.pendingChange));
      this.afterDecision(caseId, updated);
      showToast(t('case.rejected', { id: caseId, reason: rejectReasonName(reason) }), 'success');
    } catch (error) {
      if (isSilentError(error)) throw error;
      if (error instanceof ApiError && error.status === 409) {
        // Someone else decided meanwhile: say so, and show the case as it is now (the dialog closes).
        showToast(describeError(error), 'error');
        this.reloadCurrent();
        return;
      }
      throw new Error(describeError(error));
    } finally {
      this.busy = false;
      this.pendingChange = null;
    }
    this.advance(caseId); // not awaited: the dialog closes at once
  }

  afterDecision(caseId, updated) {
    if (updated && updated.caseId !== undefined) {
      rememberCase(updated);
      this.context.noteDecision(caseId, updated.status);
      if (caseId === this.currentId) this.caseData = updated;
    }
  }

  /**
   * Evidence links expire (evidence.store.presign_expiry). When the clip fails to load because the page stayed open
   * past that, fetch the case again for fresh links, once per case shown.
   */
  reloadIfLinksExpire(caseData) {
    const video = this.video;
    if (!video || video.dataset.expiryWatch === caseData.caseId) return;
    video.dataset.expiryWatch = caseData.caseId;
    video.addEventListener('error', () => {
      if (caseData.caseId !== this.currentId || this.reloadedForLinks === caseData.caseId) return;
      this.reloadedForLinks = caseData.caseId;
      this.reloadCurrent();
    }, { once: true });
  }

  async reloadCurrent() {
    const caseId = this.currentId;
    try {
      const fresh = await loadCase(caseId, { fresh: true });
      if (caseId === this.currentId) this.render(fresh);
    } catch {
      // the error toast already explains why the decision failed
    }
  }

  // ---- keyboard ----

  handleKey(event) {
    if (this.rejectDialog.isOpen() || this.photoDialog.isOpen() || this.changeDialog.isOpen()) return;
    if (this.helpDialog.isOpen()) return; // the help dialog handles its own keys
    runShortcut(event, e => this.keyAction(e));
  }

  keyAction(event) {
    if (event.key === '?' || (event.code === 'Slash' && event.shiftKey)) return () => this.helpDialog.open();
    switch (event.code) {
      case 'KeyJ': return () => this.moveNext();
      case 'KeyK': return () => this.movePrevious();
      case 'KeyC': return () => this.confirm();
      case 'KeyR': return () => this.openReject();
      case 'Escape': return () => this.backToQueue();
      case 'Space': {
        // The focused video or button handles space itself; doing it here too would toggle twice.
        const target = event.target;
        if (target instanceof HTMLVideoElement || target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) return null;
        return () => togglePlayback(this.video);
      }
      default: return null;
    }
  }
}

/** Seeks to the moment the case was confirmed as soon as the clip's duration is known. */
function seekToConfirmation(video, clip) {
  const offset = Number(clip.confirmationOffsetSeconds);
  if (!Number.isFinite(offset) || offset <= 0) return;
  const seek = () => {
    const duration = video.duration;
    video.currentTime = Number.isFinite(duration) && duration > 0 ? Math.min(offset, duration) : offset;
  };
  if (video.readyState >= HTMLMediaElement.HAVE_METADATA) {
    if (Math.abs(video.currentTime - offset) > 0.25) seek();
  } else {
    video.addEventListener('loadedmetadata', seek, { once: true });
  }
}

function togglePlayback(video) {
  if (!video) return;
  if (video.paused || video.ended) video.play().catch(() => {});
  else video.pause();
}

/** Stops a video's download; a paused element otherwise keeps its connection (browsers allow few per host). */
function releaseVideo(video) {
  if (!video) return;
  video.pause();
  video.removeAttribute('src');
  video.load();
  video.remove();
}

function createHelpDialog() {
  const rows = [
    ['J', 'help.next'], ['K', 'help.prev'], ['C', 'help.confirm'], ['R', 'help.reject'],
    [t('keys.space'), 'help.play'], ['Esc', 'help.back'], ['?', 'help.help'],
  ];
  const closeButton = h('button', { type: 'button', class: 'button', onClick: () => dialog.close() }, t('help.close'));
  const dialog = h('dialog', { id: 'help-dialog', class: 'dialog', 'aria-labelledby': 'help-dialog-title' },
    h('h2', { id: 'help-dialog-title' }, t('help.title')),
    h('table', { class: 'data-table compact' }, h('tbody', {},
      rows.map(([key, text]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, key)), h('td', {}, t(text)))))),
    h('p', { class: 'muted' }, t('help.typing')),
    h('div', { class: 'dialog-buttons' }, closeButton));
  dialog.addEventListener('keydown', (event) => {
    if (event.key === '?') {
      event.preventDefault();
      dialog.close();
    }
    event.stopPropagation();
  });
  return {
    element: dialog,
    open: () => { dialog.showModal(); closeButton.focus(); },
    isOpen: () => dialog.open,
  };
}

function createPhotoDialog() {
  const image = h('img', { class: 'photo-large', alt: '' });
  const caption = h('p', { class: 'photo-caption' });
  const dialog = h('dialog', { id: 'photo-dialog', class: 'dialog photo-dialog', 'aria-label': t('case.photos') },
    image, caption,
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', class: 'button', onClick: () => dialog.close() }, t('photo.close'), ' ', h('kbd', {}, 'Esc'))));
  // A click on the picture or the backdrop closes, like most lightboxes.
  dialog.addEventListener('click', (event) => { if (event.target === dialog || event.target === image) dialog.close(); });
  dialog.addEventListener('keydown', (event) => event.stopPropagation());
  return {
    element: dialog,
    open(photo, offset) {
      image.src = photo.url;
      image.alt = photoRoleName(photo.role);
      caption.textContent = `${photoRoleName(photo.role)} · ${formatDateTime(photo.takenAt, offset)}`;
      dialog.showModal();
    },
    isOpen: () => dialog.open,
  };
}
