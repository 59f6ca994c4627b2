// Chorus: progressive enhancement for the server-rendered pages. Everything here is optional: without it,
// every page still reads and every form still posts.

import './live.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const announcer = document.getElementById('announcer');

function announce(text) {
  if (!announcer) return;
  announcer.textContent = '';
  // A fresh text node after a tick makes screen readers repeat identical messages.
  setTimeout(() => { announcer.textContent = text; }, 50);
}

async function api(method, url, body) {
  const init = { method, headers: { RequestVerificationToken: csrf, Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const message = data?.errors ? Object.values(data.errors).flat().join(' ') : (data?.detail ?? data?.title);
    throw new Error(message || `The server answered ${response.status}.`);
  }
  return data;
}

// Relative times in the viewer's locale; the exact time stays in the title.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
function renderTime(el) {
  const when = new Date(el.getAttribute('datetime'));
  if (Number.isNaN(when.getTime())) return;
  const seconds = (when.getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  let text;
  if (abs < 60) text = relative.format(0, 'second');
  else if (abs < 3600) text = relative.format(Math.round(seconds / 60), 'minute');
  else if (abs < 86400) text = relative.format(Math.round(seconds / 3600), 'hour');
  else if (abs < 7 * 86400) text = relative.format(Math.round(seconds / 86400), 'day');
  else text = dateOnly.format(when);
  el.textContent = text;
  el.title = exact.format(when);
}
function renderTimes(root = document) { root.querySelectorAll('time[data-relative]').forEach(renderTime); }
renderTimes();

// Time zone fields the server filled with its default (UTC) start from the browser's own zone instead.
for (const input of document.querySelectorAll('input[data-local-zone="default"]')) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) input.value = zone;
}
setInterval(renderTimes, 60_000);

// Text boxes grow with what is typed.
function grow(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = `${textarea.scrollHeight + 2}px`;
}
document.addEventListener('input', (e) => { if (e.target.matches?.('textarea[data-grow]')) grow(e.target); });
document.querySelectorAll('textarea[data-grow]').forEach((t) => { if (t.value) grow(t); });

// Ctrl/Cmd+Enter sends the form a text box belongs to.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.matches?.('textarea')) {
    e.preventDefault();
    e.target.form?.requestSubmit();
  }
});

// Forms that destroy something ask first.
document.addEventListener('submit', (e) => {
  const message = e.target.dataset?.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
}, true);

// Reactions: pressed at once, then confirmed (or undone) by the API.
function setReaction(article, name, pressed, count) {
  article.querySelectorAll(`:scope > .post-actions button[data-reaction="${name}"]`).forEach((button) => {
    button.setAttribute('aria-pressed', String(pressed));
    button.value = `${pressed ? '-' : '+'}${name}`;
    const counter = button.querySelector('.count');
    if (counter && count !== undefined) {
      counter.dataset.count = String(count);
      counter.textContent = count > 0 ? count.toLocaleString() : '';
    }
  });
}
document.addEventListener('submit', async (e) => {
  const form = e.target;
  const button = e.submitter;
  if (!form.matches('.react-form') || !button?.dataset.reaction) return;
  e.preventDefault();
  const article = form.closest('article[data-post-id]');
  const name = button.dataset.reaction;
  const add = button.getAttribute('aria-pressed') !== 'true';
  const counter = form.querySelector(`:scope > button[data-reaction="${name}"] .count`);
  const before = Number(counter?.dataset.count ?? 0);
  setReaction(article, name, add, Math.max(0, before + (add ? 1 : -1)));
  form.querySelector('details')?.removeAttribute('open');
  try {
    const state = await api(add ? 'POST' : 'DELETE', `/api/v1/posts/${article.dataset.postId}/reactions/${name}`);
    if (!counter && state.reacted) {
      // A reaction picked from the menu that had no button yet gets one, with its count.
      const shown = button.cloneNode(true);
      shown.classList.remove('picker-item');
      const count = document.createElement('span');
      count.className = 'count';
      shown.append(count);
      form.querySelector('details').before(shown);
    }
    setReaction(article, name, state.reacted, state.count);
  } catch (error) {
    setReaction(article, name, !add, before);
    announce(`Could not save the reaction: ${error.message}`);
  }
});

// The composer posts through the API and shows the post at once; a failure keeps the text and offers a retry.
async function loadCard(id) {
  const response = await fetch(`/posts/${id}?handler=Card`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error('The post was saved but could not be shown; reload to see it.');
  const template = document.createElement('template');
  template.innerHTML = (await response.text()).trim();
  return template.content.firstElementChild;
}

function pendingCard(text) {
  const article = document.createElement('article');
  article.className = 'post card pending';
  const body = document.createElement('div');
  body.className = 'post-body';
  body.textContent = text;
  const status = document.createElement('p');
  status.className = 'hint';
  status.textContent = 'Sending…';
  article.append(body, status);
  return article;
}

function enhanceComposer(form) {
  const textarea = form.querySelector('textarea');
  const errorBox = form.querySelector('[data-composer-error]');
  const button = form.querySelector('button[type="submit"]');
  const replyTo = form.dataset.composer || null;

  async function send(text, placeholder) {
    try {
      const groupId = form.dataset.group || undefined;
      const post = await api('POST', '/api/v1/posts', replyTo ? { text, replyTo } : { text, groupId });
      const card = await loadCard(post.id);
      placeholder.replaceWith(card);
      renderTimes(card);
      announce('Your post is published.');
    } catch (error) {
      placeholder.classList.add('failed');
      placeholder.querySelector('.hint').textContent = `Not sent: ${error.message}`;
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'button';
      retry.textContent = 'Retry';
      retry.addEventListener('click', () => {
        retry.remove();
        placeholder.classList.remove('failed');
        placeholder.querySelector('.hint').textContent = 'Sending…';
        send(text, placeholder);
      });
      placeholder.append(retry);
      // Nothing typed is lost: the text goes back into the box unless something new was typed meanwhile.
      if (!textarea.value.trim()) { textarea.value = text; grow(textarea); }
      errorBox.textContent = `Your post was not sent: ${error.message}`;
      errorBox.hidden = false;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    errorBox.hidden = true;
    if (!text) {
      errorBox.textContent = 'Write something first.';
      errorBox.hidden = false;
      textarea.focus();
      return;
    }
    let list = replyTo ? document.querySelector('[data-replies]') : document.querySelector('[data-feed]');
    if (!list) {
      list = document.createElement('div');
      list.className = 'feed';
      list.dataset.feed = '';
      if (replyTo) list.dataset.replies = '';
      form.after(list);
    }
    const placeholder = pendingCard(text);
    if (replyTo) list.append(placeholder); else list.prepend(placeholder);
    textarea.value = '';
    grow(textarea);
    button.disabled = true;
    send(text, placeholder).finally(() => { button.disabled = false; });
  });
}
document.querySelectorAll('form[data-composer]').forEach(enhanceComposer);
if (location.hash === '#composer') document.querySelector('#composer textarea')?.focus();

// Copy buttons (the new token's secret).
document.addEventListener('click', async (e) => {
  const button = e.target.closest?.('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = 'Copied';
  } catch {
    window.getSelection().selectAllChildren(source);
    button.textContent = 'Press Ctrl+C to copy';
  }
});

// Keyboard shortcuts: j/k between posts, l like, r reply, / search, ? the list.
const dialog = document.getElementById('shortcuts');
document.querySelector('[data-action="shortcuts"]')?.addEventListener('click', () => dialog?.showModal());
function posts() { return [...document.querySelectorAll('main article.post[data-post-id]:not(.embedded)')]; }
function focusedPost() { return document.activeElement?.closest?.('article.post[data-post-id]:not(.embedded)'); }
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target;
  if (target.closest?.('input, textarea, select, [contenteditable="true"]') || dialog?.open) return;
  const list = posts();
  const current = focusedPost();
  switch (e.key) {
    case 'j':
    case 'k': {
      if (list.length === 0) return;
      const index = current ? list.indexOf(current) : -1;
      const next = e.key === 'j' ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1);
      list[next].focus();
      list[next].scrollIntoView({ block: 'nearest' });
      e.preventDefault();
      break;
    }
    case 'l':
      current?.querySelector(':scope > .post-actions .reactions > button[data-reaction="like"]')?.click();
      break;
    case 'r':
      if (current) location.href = `/posts/${current.dataset.postId}#reply`;
      break;
    case '/':
      document.getElementById('site-search')?.focus();
      e.preventDefault();
      break;
    case '?':
      dialog?.showModal();
      e.preventDefault();
      break;
    default:
  }
});
