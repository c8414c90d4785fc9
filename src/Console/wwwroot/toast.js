// One short message at a time in #toast (an aria-live region, so screen readers announce it).
let hideTimer = 0;

/** kind: "info" | "success" | "error"; errors stay longer because they need reading. */
export function showToast(message, kind = 'info') {
  const toast = document.getElementById('toast');
  if (!toast) return;
  toast.textContent = message;
  toast.dataset.kind = kind;
  toast.hidden = false;
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { toast.hidden = true; }, kind === 'error' ? 5000 : 1800);
}
