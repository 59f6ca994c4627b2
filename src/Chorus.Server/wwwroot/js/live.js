// Chorus live updates: one EventSource per page, following the viewer's own stream (home feed, notifications) and the
// stream the page names in <main data-stream>. New feed posts wait behind a "N new posts" pill so nothing moves under
// the reader; counts, edits, deletions and the notification badge update in place. Without this script every page
// still works; it only adds liveness.

const me = document.body.dataset.viewer;
const main = document.getElementById('main');
const pageStream = main?.dataset.stream ?? '';
const pageAuthor = main?.dataset.streamAuthor ?? '';
const announcer = document.getElementById('announcer');

const kind = pageStream === 'user' ? 'home'
  : pageStream === 'company' ? (pageAuthor ? 'person' : 'company')
    : pageStream.startsWith('topic:') ? 'topic'
      : pageStream.startsWith('group:') ? 'group'
        : pageStream.startsWith('post:') ? 'thread' : null;
const topic = kind === 'topic' ? pageStream.slice('topic:'.length).toLowerCase() : '';
const group = kind === 'group' ? pageStream.slice('group:'.length) : '';

// Where the stream resumes: the server's position when the page read its data, then the last event handled. Event ids
// are the server's global sequence, so anything at or below it has been handled (or was already in the page).
let lastEventId = Number(document.body.dataset.liveSince || 0);
const seenEvents = new Set();
// Root posts that arrived but are not shown yet, newest last; a Set so a post is never counted twice.
const waiting = new Set();
let source = null;
let retryDelay = 1000;
let retryTimer = 0;
let stopped = false;

function announce(text) {
  if (!announcer) return;
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 50);
}

function cards(postId, withEmbedded = false) {
  const all = [...document.querySelectorAll(`main article.post[data-post-id="${CSS.escape(postId)}"]`)];
  return withEmbedded ? all : all.filter((a) => !a.classList.contains('embedded'));
}

function feedList() {
  let list = document.querySelector('main [data-feed]');
  if (!list) {
    // An empty feed has no list yet; the first live post makes one where the empty state was.
    list = document.createElement('div');
    list.className = 'feed';
    list.dataset.feed = '';
    const empty = main.querySelector('.empty, .empty-home');
    if (empty) empty.replaceWith(list); else main.append(list);
  }
  return list;
}

async function fetchCard(id) {
  // The server renders the card with the same partial as the page, so markup, the viewer's own reactions and the
  // edit/delete controls match exactly; a post the viewer may not see answers 404 and is skipped.
  const response = await fetch(`/posts/${encodeURIComponent(id)}?handler=Card`, { credentials: 'same-origin' });
  if (!response.ok) return null;
  const template = document.createElement('template');
  template.innerHTML = (await response.text()).trim();
  return template.content.firstElementChild;
}

function byIdDescending(a, b) {
  // Ids are 64-bit numbers as strings: longer is larger, then compare as text.
  return a.length !== b.length ? b.length - a.length : (a < b ? 1 : a > b ? -1 : 0);
}

// The pill: fixed in a zero-height sticky bar, so showing it never moves the posts being read.
const bar = document.createElement('div');
bar.className = 'live-bar';
const pill = document.createElement('button');
pill.type = 'button';
pill.className = 'live-pill';
pill.hidden = true;
const pillStatus = document.createElement('div');
pillStatus.className = 'visually-hidden';
pillStatus.setAttribute('aria-live', 'polite');
bar.append(pill, pillStatus);
let pillMode = 'posts';

function renderPill() {
  for (const id of waiting) if (cards(id).length > 0) waiting.delete(id);
  if (pillMode === 'refresh') {
    pill.textContent = 'Feed updated — refresh';
    pill.hidden = false;
  } else if (waiting.size > 0) {
    const text = waiting.size === 1 ? '1 new post' : `${waiting.size.toLocaleString()} new posts`;
    pill.textContent = `↑ ${text}`;
    pill.hidden = false;
    pillStatus.textContent = text;
  } else {
    pill.hidden = true;
  }
}

async function reveal() {
  const ids = [...waiting].sort(byIdDescending);
  waiting.clear();
  pill.hidden = true;
  pill.disabled = true;
  try {
    const fetched = await Promise.all(ids.map(fetchCard));
    const list = feedList();
    const fresh = fetched.filter((card) => card && cards(card.dataset.postId).length === 0);
    // Newest first, above what was the first post.
    list.prepend(...fresh);
    window.scrollTo({ top: 0 });
    fresh[0]?.focus({ preventScroll: true });
    announce(fresh.length === 1 ? '1 new post shown.' : `${fresh.length} new posts shown.`);
  } finally {
    pill.disabled = false;
    renderPill();
  }
}

pill.addEventListener('click', () => {
  if (pillMode === 'refresh') location.reload(); else reveal();
});

function belongsToFeed(post) {
  if (post.replyTo) return false;
  switch (kind) {
    case 'home': return true;
    // The user stream also brings posts of the reader's groups: the company feed holds only the all-company group's.
    case 'company': return !post.group;
    case 'group': return post.group?.id === group;
    case 'topic': return (post.topics ?? []).some((t) => t.toLowerCase() === topic);
    case 'person': return post.author?.handle === pageAuthor;
    default: return false;
  }
}

function bumpReplyCount(parentId) {
  for (const card of cards(parentId)) {
    const counter = card.querySelector(':scope > .post-actions .reply-count');
    if (!counter) continue;
    const count = Number(counter.dataset.replyCount || 0) + 1;
    counter.dataset.replyCount = String(count);
    counter.textContent = ` · ${count.toLocaleString()}`;
  }
}

// The card's Share summary reads "↻ Share · N" (the count in invariant "N0" form, e.g. "1,234"), hidden at zero.
function bumpShareCount(originalId) {
  for (const card of cards(originalId)) {
    const summary = card.querySelector(':scope > .post-actions details.share > summary');
    if (!summary) continue;
    const label = [...summary.childNodes].reverse().find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.includes('Share'));
    if (!label) continue;
    const shown = /·\s*([\d,]+)/.exec(label.textContent);
    const count = (shown ? Number(shown[1].replaceAll(',', '')) : 0) + 1;
    label.textContent = ` Share · ${count.toLocaleString('en-US')}`;
  }
}

function onShareCreated(share) {
  if (share.sharedPost?.id) bumpShareCount(share.sharedPost.id);
  onPostCreated(share);
}

// A post the viewer just wrote here is shown by the composer; its own event must not show it a second time.
function composerIsSending() {
  return document.querySelector('main article.post.pending') !== null;
}

async function insertReply(post) {
  const list = document.querySelector('main [data-replies]');
  if (!list || cards(post.id).length > 0) return;
  const card = await fetchCard(post.id);
  if (!card || cards(post.id).length > 0) return;
  // Replies read top to bottom in the order they were written.
  const after = [...list.querySelectorAll(':scope > article.post[data-post-id]')]
    .find((other) => byIdDescending(other.dataset.postId, post.id) < 0);
  list.insertBefore(card, after ?? null);
  announce(`New reply from ${post.author?.displayName ?? 'someone'}.`);
}

function onPostCreated(post) {
  if (post.replyTo) {
    bumpReplyCount(post.replyTo);
    if (kind === 'thread' && !(post.author?.handle === me && composerIsSending())) insertReply(post);
    return;
  }
  if (!belongsToFeed(post) || cards(post.id).length > 0) return;
  if (post.author?.handle === me && composerIsSending()) return;
  waiting.add(post.id);
  renderPill();
}

function setReactions(card, change) {
  const form = card.querySelector(':scope > .post-actions .react-form');
  if (!form) return;
  if (!form.querySelector(`:scope > button[data-reaction="${CSS.escape(change.kind)}"]`) && change.count > 0) {
    // A reaction nobody had used on this post yet gets its button, like app.js does for the viewer's own pick.
    const item = form.querySelector(`.picker button[data-reaction="${CSS.escape(change.kind)}"]`);
    if (item) {
      const shown = item.cloneNode(true);
      shown.classList.remove('picker-item');
      const count = document.createElement('span');
      count.className = 'count';
      shown.append(count);
      form.querySelector('details')?.before(shown);
    }
  }
  form.querySelectorAll('button[data-reaction]').forEach((button) => {
    const name = button.dataset.reaction;
    const counter = button.querySelector('.count');
    if (counter) {
      const count = change.reactions?.[name] ?? 0;
      counter.dataset.count = String(count);
      counter.textContent = count > 0 ? count.toLocaleString() : '';
    }
    if (name === change.kind && change.actor === me) {
      button.setAttribute('aria-pressed', String(change.added));
      button.value = `${change.added ? '-' : '+'}${name}`;
    }
  });
}

function onPostUpdated(post) {
  for (const card of cards(post.id, true)) {
    let body = card.querySelector(':scope > .post-body');
    if (!body) {
      body = document.createElement('div');
      body.className = 'post-body';
      card.querySelector(':scope > .post-head')?.after(body);
    }
    // The html field is Markdown the server has already sanitized (PostText); it is the only HTML taken from events.
    body.innerHTML = post.html ?? '';
    if (!card.querySelector(':scope > .edited')) {
      const edited = document.createElement('p');
      edited.className = 'edited';
      const link = document.createElement('a');
      link.href = `/posts/${encodeURIComponent(post.id)}/history`;
      link.textContent = 'edited';
      edited.append(link);
      const actions = card.querySelector(':scope > .post-actions');
      if (actions) actions.before(edited); else card.append(edited);
    }
  }
}

function onPostDeleted(post) {
  waiting.delete(post.id);
  for (const card of cards(post.id, true)) {
    if (card.contains(document.activeElement)) main.focus({ preventScroll: true });
    card.remove();
  }
  renderPill();
}

const badge = () => document.getElementById('notification-badge');
function setBadge(count) {
  const el = badge();
  if (!el) return;
  const n = Math.max(0, Number(count) || 0);
  el.dataset.count = String(n);
  el.hidden = n === 0;
  const label = el.querySelector('.visually-hidden');
  el.textContent = n > 99 ? '99+' : String(n);
  if (label) el.append(label);
}

async function refreshBadge() {
  try {
    const response = await fetch('/api/v1/notifications/unread-count', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    // Before notifications exist on a server this answers 404; the badge then keeps what the page rendered.
    if (!response.ok) return;
    const data = await response.json();
    if (typeof data?.count === 'number') setBadge(data.count);
  } catch {
    // Offline: the next event or reconnect corrects the badge.
  }
}

const handlers = {
  'post.created': onPostCreated,
  'share.created': onShareCreated,
  'post.updated': onPostUpdated,
  'post.deleted': onPostDeleted,
  'reaction.changed': (change) => cards(change.postId).forEach((card) => setReactions(card, change)),
  notification: (item) => {
    setBadge(Number(badge()?.dataset.count || 0) + 1);
    announce(item?.text ? `New notification: ${item.text}` : 'You have a new notification.');
  },
  'notification.read': (read) => { if (typeof read?.unreadCount === 'number') setBadge(read.unreadCount); },
};

function onEvent(e) {
  const id = Number(e.lastEventId);
  if (id) {
    // Replays after a reconnect can overlap what already arrived; each event counts once.
    if (seenEvents.has(id) || id <= lastEventId) return;
    seenEvents.add(id);
    lastEventId = id;
  }
  let data;
  try { data = JSON.parse(e.data); } catch { return; }
  handlers[e.type]?.(data);
}

function onResync() {
  // Events were missed beyond what the server keeps: the page's data is stale, so offer a reload rather than guess.
  if (kind && kind !== 'thread') {
    pillMode = 'refresh';
    renderPill();
  }
  refreshBadge();
}

function connect() {
  clearTimeout(retryTimer);
  const params = new URLSearchParams();
  params.append('stream', 'user');
  if (pageStream && pageStream !== 'user') params.append('stream', pageStream);
  // The browser sends Last-Event-ID itself when it reconnects this EventSource; a new one carries it in the query.
  if (lastEventId) params.set('lastEventId', String(lastEventId));
  const es = new EventSource(`/api/v1/streaming?${params}`);
  source = es;
  for (const name of Object.keys(handlers)) es.addEventListener(name, onEvent);
  es.addEventListener('resync', onResync);
  es.addEventListener('open', () => {
    retryDelay = 1000;
    document.body.dataset.live = 'open';
  });
  es.addEventListener('error', (e) => {
    if (e instanceof MessageEvent && e.data) {
      // The server ended the stream on purpose (signed out, token revoked): reconnecting would be refused anyway.
      stopped = true;
      es.close();
      document.body.dataset.live = 'stopped';
      return;
    }
    document.body.dataset.live = 'reconnecting';
    // The browser retries by itself while readyState is CONNECTING; once CLOSED (an error answer, a dead server) it
    // has given up, so a fresh EventSource resumes from the last event id, backing off to at most half a minute.
    if (es.readyState === EventSource.CLOSED && !stopped) scheduleReconnect(es);
  });
}

function scheduleReconnect(es) {
  if (source !== es) return;
  source = null;
  retryTimer = setTimeout(connect, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30_000);
}

// When the device loses its network an open stream may not notice for minutes (no packet says it died), so it is
// closed at once; coming back online resumes from the last event id straight away instead of waiting out a backoff.
window.addEventListener('offline', () => {
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  document.body.dataset.live = 'offline';
});
window.addEventListener('online', () => {
  if (stopped) return;
  if (!source || source.readyState === EventSource.CLOSED) { source?.close(); source = null; connect(); }
});
window.addEventListener('pagehide', () => { source?.close(); source = null; });
// A page restored from the back/forward cache resumes where it stopped.
window.addEventListener('pageshow', (e) => { if (e.persisted && !stopped && !source) connect(); });

if (me && main && typeof EventSource === 'function') {
  if (kind && kind !== 'thread') main.prepend(bar);
  connect();
}
