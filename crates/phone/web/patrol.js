'use strict';
// badgegate patrol: a guard checks a badge on a phone, offline. Every
// decision, list check, record hash and signature is made by phone.wasm,
// the kiosks' own Rust code built to WebAssembly; this file only moves
// pixels, bytes and words between the camera, the phone's storage, the
// office and the screen. Nothing the server sends is trusted for being
// sent: the trust keys are pinned at enrolment and every list is verified
// in phone.wasm before it is used.

const $ = (id) => document.getElementById(id);

const Page = {
  lang: 'en',
  words: {}, // this page's strings (words/LANG.json)
  screen: {}, // the guard screen's strings (screen-words/LANG.json)
  config: null, // config.json: mode, trust, trust_lists, venue
  phone: null, // enrolment: kiosk_id, seed, token, seq, prev_hash, guard, pinned
  settings: { lang: '', zone: '' },
  lists: [], // signed list texts held (each verified, in use)
  load: null, // the last answer of phone.wasm's load
  loadError: '',
  refused: [], // lists the office sent that did not verify
  outbox: 0, // checks not yet at the office
  online: { ok: null, since: 0, at: 0, why: '' },
  last: { text: '', at: 0 },
  signingIn: false,
  busy: false,
  photoUrl: '',
  // For the benchmark and the browser tests: timings of the last verdict.
  stats: { frames: 0, readMs: 0, lastVerdictMs: 0, verdicts: 0, loadMs: 0 },
};
window.__patrol = Page;

// Whatever goes wrong is said on the page, never hidden in a console.
function said(what) {
  const line = document.getElementById('trust-line');
  if (!line) return;
  line.className = 'trust bad';
  line.dataset.state = 'bad';
  line.textContent = String(what);
}
window.addEventListener('error', (ev) => said(ev.message));
window.addEventListener('unhandledrejection', (ev) => said(ev.reason?.message || ev.reason));

// ---------------------------------------------------------------- wasm
let verifier = null;

async function loadWasm() {
  const bytes = await (await fetch('phone.wasm')).arrayBuffer();
  if (bytes.byteLength === 0) {
    throw new Error('this office was built without the patrol verifier (rustup target add wasm32-unknown-unknown, then build again)');
  }
  verifier = await globalThis.BadgegatePhone.instantiate(bytes);
}

// One operation of phone.wasm (phone.js). A trap (a bug in the module)
// leaves it unusable: it is loaded again for the next call.
function call(op, request, bytes) {
  try {
    return verifier.call(op, request, bytes);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      loadWasm().then(() => takeLists([]));
      throw new Error('the verifier failed (' + e.message + '): it was restarted; show the badge again');
    }
    throw e;
  }
}

// ---------------------------------------------------------------- storage
let db = null;

function openDb() {
  return new Promise((ok, bad) => {
    const r = indexedDB.open('badgegate-patrol', 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('kv');
      d.createObjectStore('photos');
      d.createObjectStore('outbox');
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => bad(r.error);
  });
}

function req(r) {
  return new Promise((ok, bad) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => bad(r.error);
  });
}

function done(t) {
  return new Promise((ok, bad) => {
    t.oncomplete = () => ok();
    t.onerror = () => bad(t.error);
    t.onabort = () => bad(t.error || new Error('storage refused the write'));
  });
}

const store = {
  get: (s, k) => req(db.transaction(s).objectStore(s).get(k)),
  put: async (s, k, v) => { const t = db.transaction(s, 'readwrite'); t.objectStore(s).put(v, k); await done(t); },
  del: async (s, k) => { const t = db.transaction(s, 'readwrite'); t.objectStore(s).delete(k); await done(t); },
  keys: (s) => req(db.transaction(s).objectStore(s).getAllKeys()),
  all: (s) => req(db.transaction(s).objectStore(s).getAll()),
  count: (s) => req(db.transaction(s).objectStore(s).count()),
};

// ---------------------------------------------------------------- words
function w(key, values) {
  let s = Page.words[key] ?? Page.screen[key] ?? key;
  for (const [k, v] of Object.entries(values || {})) s = s.split('{' + k + '}').join(v);
  return s;
}

async function loadWords() {
  const policyLang = Page.load?.policy?.language;
  const nav = (navigator.language || 'en').slice(0, 2);
  const pick = [Page.settings.lang, policyLang, nav, 'en'].find((l) => ['en', 'ru', 'tg'].includes(l));
  Page.lang = pick;
  document.documentElement.lang = pick;
  const [page, screen] = await Promise.all([
    fetch('words/' + pick + '.json').then((r) => r.json()),
    fetch('screen-words/' + pick + '.json').then((r) => r.json()),
  ]);
  Page.words = page;
  Page.screen = screen;
  for (const el of document.querySelectorAll('[data-w]')) el.textContent = w(el.dataset.w);
}

function timeZone() {
  return Page.load?.policy?.time_zone || undefined;
}

function localTime(secs) {
  try {
    return new Intl.DateTimeFormat(Page.lang, {
      dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone(),
    }).format(new Date(secs * 1000));
  } catch (_) {
    return new Date(secs * 1000).toLocaleString();
  }
}

// "3 hours": the screen's own span words (one, few, many).
function span(secs) {
  const units = [['days', 86400], ['hours', 3600], ['minutes', 60], ['seconds', 1]];
  for (const [u, size] of units) {
    if (secs >= size || u === 'seconds') {
      const n = Math.floor(secs / size);
      let rule = 'other';
      try { rule = new Intl.PluralRules(Page.lang).select(n); } catch (_) { /* keep other */ }
      const forms = Page.screen[u] || [u, u, u];
      const f = rule === 'one' ? forms[0] : rule === 'few' ? forms[1] : forms[2];
      return n + ' ' + f;
    }
  }
  return secs + ' s';
}

// ---------------------------------------------------------------- trust and lists
function pinned() {
  return Page.phone?.pinned || { roots: [], keys: [], retired: [] };
}

// Verifies every held and offered list under the pinned keys in
// phone.wasm; keeps those in use.
async function takeLists(offered) {
  const all = Page.lists.concat((offered || []).filter((t) => !Page.lists.includes(t)));
  const fromTrust = Page.phone?.pinned_lists || [];
  const texts = fromTrust.concat(all.filter((t) => !fromTrust.includes(t)));
  const t0 = performance.now();
  try {
    const ans = call('load', { trust: pinned(), lists: texts, now: Math.floor(Date.now() / 1000) });
    Page.load = ans;
    Page.loadError = '';
    const inUse = new Set(ans.lists.filter((l) => l.state === 'in use').map((l) => l.index));
    const offeredSet = new Set(offered || []);
    Page.refused = ans.lists.filter((l) => l.state === 'refused' && offeredSet.has(texts[l.index]));
    Page.lists = texts.filter((_, i) => inUse.has(i) && !fromTrust.includes(texts[i]));
    await store.put('kv', 'lists', Page.lists);
  } catch (e) {
    Page.load = null;
    Page.loadError = e.message;
  }
  Page.stats.loadMs = performance.now() - t0;
  renderStatus();
}

// ---------------------------------------------------------------- the office
function api(path) {
  return 'api/' + path;
}

function auth() {
  return { Authorization: 'Bearer ' + Page.phone.token };
}

async function sync() {
  if (!Page.phone) return;
  try {
    if (Page.config.mode === 'bundle') {
      const data = await (await fetch('data.json', { cache: 'no-store' })).json();
      await takeLists(data.lists);
      await takePhotos(data.photos, (p) => 'photos/' + p.file);
    } else {
      const r = await fetch(api('data'), { headers: auth(), cache: 'no-store' });
      if (!r.ok) throw new Error((await r.text()).trim() || 'HTTP ' + r.status);
      const data = await r.json();
      await takeLists(data.lists);
      await takePhotos(data.photos, (p) => api('photo/' + encodeURIComponent(p.serial)));
      await pushOutbox();
    }
    Page.online = { ok: true, since: 0, at: Date.now(), why: '' };
  } catch (e) {
    Page.online = { ok: false, since: Page.online.since || Date.now(), at: Page.online.at, why: e.message };
  }
  renderStatus();
}

// Photos are kept on the phone by serial; whether one is the holder's is
// decided in phone.wasm against the badge's signed digest, never here.
async function takePhotos(index, url) {
  const held = new Map();
  for (const k of await store.keys('photos')) held.set(k, true);
  let n = 0;
  for (const p of index || []) {
    const have = held.has(p.serial) ? await store.get('photos', p.serial) : null;
    if (have && have.digest === p.digest) continue;
    const r = await fetch(url(p), { headers: Page.config.mode === 'bundle' ? {} : auth() });
    if (!r.ok) continue;
    const bytes = new Uint8Array(await r.arrayBuffer());
    await store.put('photos', p.serial, { digest: p.digest, bytes });
    n += 1;
    if (n % 20 === 0) $('sync-line').textContent = w('photos_progress', { n: String(n) });
  }
}

async function pushOutbox() {
  const keys = (await store.keys('outbox')).sort((a, b) => a - b);
  for (let i = 0; i < keys.length; i += 100) {
    const batch = [];
    for (const k of keys.slice(i, i + 100)) batch.push(await store.get('outbox', k));
    const r = await fetch(api('records'), {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: batch }),
    });
    if (!r.ok) throw new Error(w('office_refused', { why: (await r.text()).trim() }));
    const ans = await r.json();
    for (const k of keys.slice(i, i + 100)) if (k <= ans.head) await store.del('outbox', k);
  }
  Page.outbox = await store.count('outbox');
}

// ---------------------------------------------------------------- records
function chain() {
  const p = Page.phone;
  return { kiosk_id: p.kiosk_id, seq: p.seq, prev_hash: p.prev_hash || null, seed: p.seed };
}

// Keeps a signed record and moves the chain on, in one transaction: a
// check that cannot be kept is not shown as valid.
async function keep(record) {
  const t = db.transaction(['kv', 'outbox'], 'readwrite');
  const next = { ...Page.phone, seq: record.seq + 1, prev_hash: record.hash };
  t.objectStore('outbox').put(record, record.seq);
  t.objectStore('kv').put(next, 'phone');
  await done(t);
  Page.phone = next;
  Page.outbox += 1;
}

async function event(kind, reason, detail) {
  const record = call('event', {
    kind, reason, detail, now_ms: Date.now(), guard: Page.phone.guard || null, chain: chain(),
  });
  await keep(record);
}

// ---------------------------------------------------------------- checking
async function check(code, frameAt) {
  if (Page.busy) return;
  Page.busy = true;
  try {
    const ask = {
      text: code.text,
      input_hex: code.bytes_hex || null,
      now_ms: Date.now(),
      zone: Page.settings.zone || null,
      venue: Page.config.venue || null,
      guard: Page.phone.guard || null,
    };
    const probe = call('decide', ask);
    if (Page.signingIn) {
      await signInWith(probe);
      return;
    }
    let photo = null;
    if (probe.wants_photo && probe.serial) {
      const held = await store.get('photos', probe.serial);
      if (held) photo = held.bytes;
    }
    const d = call('decide', { ...ask, photo_given: !!photo, chain: chain() }, photo);
    try {
      await keep(d.record);
    } catch (e) {
      showFailure(w('cannot_keep', { why: e.message }));
      return;
    }
    showVerdict(d, photo);
    Page.stats.lastVerdictMs = performance.now() - frameAt;
    Page.stats.verdicts += 1;
    renderStatus();
  } catch (e) {
    showFailure(e.message);
  } finally {
    Page.busy = false;
  }
}

function showVerdict(d, photo) {
  const v = $('verdict');
  v.className = 'verdict ' + d.shown;
  $('verdict-head').textContent = w(d.shown === 'admit' ? 'admit' : d.shown === 'check_id' ? 'check_id' : 'deny');
  let reason;
  if (d.reason === 'ok' && d.shown === 'check_id' && d.photo === 'missing') {
    reason = w('check_photo_missing', { when: localTime(d.valid_until) });
  } else if (d.reason === 'ok') {
    reason = w('valid_until', { when: localTime(d.valid_until) });
  } else if (d.reason === 'expired') {
    reason = w('expired', { when: localTime(d.valid_until) });
  } else if (d.reason === 'not_yet_valid') {
    reason = w('not_yet_valid', { when: localTime(d.valid_from || 0) });
  } else if (d.reason === 'wrong_zone') {
    reason = w('wrong_zone', { zone: Page.settings.zone || w('this_zone'), zones: (d.zones || []).join(', ') });
  } else if (d.reason === 'key_out_of_scope') {
    reason = w('key_out_of_scope', { what: d.detail });
  } else {
    reason = w(d.reason);
  }
  $('verdict-reason').textContent = reason;
  const name = $('verdict-name');
  const org = $('verdict-org');
  if (d.name === null || d.name === undefined) {
    name.textContent = w('no_badge_read');
    name.className = 'name';
    org.textContent = '';
  } else if (d.authentic) {
    name.textContent = d.name;
    name.className = 'name';
    org.textContent = [d.org, d.category].filter((x) => x).join(' · ');
  } else {
    name.textContent = w('name_not_verified');
    name.className = 'name';
    org.textContent = w('claims', { name: d.name, org: d.org ? ' (' + d.org + ')' : '' });
  }
  // A serial is a claim too until the signature vouches for it.
  $('verdict-badge').textContent = d.serial && d.authentic ? w('badge', { serial: d.serial }) : '';
  $('verdict-detail').textContent = d.detail;
  const img = $('verdict-photo');
  if (Page.photoUrl) URL.revokeObjectURL(Page.photoUrl);
  Page.photoUrl = '';
  if (d.photo === 'match' && photo) {
    Page.photoUrl = URL.createObjectURL(new Blob([photo], { type: 'image/jpeg' }));
    img.src = Page.photoUrl;
    img.hidden = false;
  } else {
    img.removeAttribute('src');
    img.hidden = true;
  }
  v.dataset.reason = d.reason;
  v.dataset.shown = d.shown;
  v.dataset.photo = d.photo;
  show('verdict');
}

function showFailure(why) {
  const v = $('verdict');
  v.className = 'verdict deny';
  v.dataset.reason = 'failure';
  v.dataset.shown = 'deny';
  $('verdict-head').textContent = w('deny');
  $('verdict-reason').textContent = why;
  $('verdict-name').textContent = '';
  $('verdict-org').textContent = '';
  $('verdict-badge').textContent = '';
  $('verdict-detail').textContent = '';
  $('verdict-photo').hidden = true;
  show('verdict');
}

// A guard signs in with their own staff badge (its signature checked in
// phone.wasm, as a kiosk's sign-in).
async function signInWith(d) {
  Page.signingIn = false;
  const staff = ['staff', 'security'];
  if (!d.authentic || d.decision !== 'admit' || !staff.includes(d.category)) {
    $('guard-note').textContent = d.authentic && d.name
      ? w('sign_in_refused', { why: w('not_staff', { name: d.name, category: d.category }) })
      : w('sign_in_refused', { why: w(d.reason) });
    renderGuard();
    return;
  }
  Page.phone = { ...Page.phone, guard: d.name };
  await store.put('kv', 'phone', Page.phone);
  await event('shift', 'guard_signed_in', 'patrol guard ' + d.name + ' signed in with staff badge ' + d.serial);
  $('guard-note').textContent = '';
  renderGuard();
  renderStatus();
}

// ---------------------------------------------------------------- camera
let stream = null;

async function startCamera() {
  if (stream) return;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (e) {
    $('camera-error').textContent = w('camera_refused', { why: e.message });
    return;
  }
  const video = $('video');
  video.srcObject = stream;
  await video.play().catch(() => {});
  readLoop();
}

function readLoop() {
  const video = $('video');
  const next = () => setTimeout(readLoop, 80);
  if (!verifier || !Page.phone || video.readyState < 2 || Page.busy) return next();
  const frameAt = performance.now();
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  const scale = Math.min(1, 1280 / Math.max(vw, vh));
  const cw = Math.round(vw * scale);
  const ch = Math.round(vh * scale);
  const canvas = $('frame');
  canvas.width = cw;
  canvas.height = ch;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, cw, ch);
  const pixels = ctx.getImageData(0, 0, cw, ch);
  let codes = [];
  try {
    codes = call('read', { width: cw, height: ch }, new Uint8Array(pixels.data.buffer)).codes;
  } catch (e) {
    $('camera-error').textContent = e.message;
  }
  Page.stats.frames += 1;
  Page.stats.readMs = performance.now() - frameAt;
  Page.stats.wasmBytes = verifier.memoryBytes();
  const code = codes[0];
  const now = Date.now();
  if (code && !(code.text === Page.last.text && now - Page.last.at < 5000)) {
    Page.last = { text: code.text, at: now };
    check(code, frameAt).finally(next);
    return;
  }
  if (code) Page.last.at = now;
  next();
}

// ---------------------------------------------------------------- screens
function show(id) {
  for (const s of ['enrol', 'scan', 'verdict', 'settings']) $(s).hidden = s !== id;
}

function renderGuard() {
  const g = Page.phone?.guard;
  $('guard-button').hidden = !Page.phone;
  $('guard-button').textContent = Page.signingIn ? w('sign_in_show') : g ? w('guard', { guard: g }) : w('sign_in');
}

function renderStatus() {
  const line = $('trust-line');
  const l = Page.load;
  let cls = 'ok';
  let text;
  if (!Page.phone) {
    cls = 'unknown';
    text = w('not_enrolled');
  } else if (!l) {
    cls = 'bad';
    text = w('trust_unverified', { why: Page.loadError || w('no_data') });
  } else if (Page.trustMismatch) {
    cls = 'bad';
    text = w('trust_changed');
  } else if (Page.refused.length) {
    cls = 'bad';
    text = w('list_refused_event', { detail: Page.refused[0].why || '' });
  } else if (!l.lists.some((x) => x.kind === 'revocations' && x.state === 'in use')) {
    cls = 'bad';
    text = w('no_list');
  } else {
    const age = Math.max(0, Math.floor(Date.now() / 1000) - l.oldest_list_issued_at);
    const numbers = l.lists.filter((x) => x.kind === 'revocations' && x.state === 'in use').map((x) => '#' + x.sequence).join(', ');
    text = w('lists', { numbers, age: span(age) });
    if (age > l.max_age_secs) {
      cls = 'stale';
      text += w('lists_frozen', { bound: span(l.max_age_secs) });
    }
  }
  line.className = 'trust ' + cls;
  line.dataset.state = cls;
  line.textContent = text;
  const sync = $('sync-line');
  const parts = [];
  if (Page.config?.mode === 'bundle') parts.push(w('no_office'));
  else if (Page.online.ok === true) parts.push(w('online', { when: localTime(Page.online.at / 1000) }));
  else if (Page.online.ok === false) parts.push(w('offline', { since: localTime(Page.online.since / 1000) }));
  if (Page.outbox > 0) {
    parts.push(w(Page.config?.mode === 'bundle' ? 'kept' : 'unsent', { n: String(Page.outbox) }));
  }
  sync.textContent = parts.join(' · ');
  sync.className = 'sync' + (Page.outbox > 0 ? ' owed' : '');
  sync.dataset.unsent = String(Page.outbox);
  renderGuard();
}

function renderSettings() {
  $('lang-select').value = Page.settings.lang;
  const zones = $('zone-select');
  zones.textContent = '';
  const any = document.createElement('option');
  any.value = '';
  any.textContent = w('every_zone');
  zones.append(any);
  for (const z of Page.load?.policy?.zones || []) {
    const o = document.createElement('option');
    o.value = z;
    o.textContent = z;
    zones.append(o);
  }
  zones.value = Page.settings.zone;
  const about = $('about');
  about.textContent = '';
  const rows = [
    [w('phone_id'), Page.phone?.kiosk_id || '-'],
    [w('enrolled_by'), Page.phone?.enrolled_by || '-'],
    [w('root_keys'), (Page.load?.roots || []).join(', ') || '-'],
    [w('badge_keys'), (Page.load?.keys || []).map((k) => k.id + (k.status === 'retired' ? ' (' + w('retired') + ')' : '')).join(', ') || '-'],
    [w('revoked_count'), String(Page.load?.revoked ?? '-')],
    [w('policy'), Page.load?.policy ? Page.load.policy.venue + ' #' + Page.load.policy.sequence : '-'],
    [w('storage'), Page.persisted ? w('storage_kept') : w('storage_may_clear')],
    [w('version'), Page.config?.version || '-'],
  ];
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    about.append(dt, dd);
  }
}

// ---------------------------------------------------------------- enrolment
function randomSeed() {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function enrol(user, password) {
  const seed = randomSeed();
  const key = call('key', { seed });
  let kiosk_id;
  let token = '';
  if (Page.config.mode === 'bundle') {
    kiosk_id = 'patrol-' + key.key_id;
  } else {
    const r = await fetch(api('enrol'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, password, public: key.public }),
    });
    if (!r.ok) throw new Error((await r.text()).trim() || 'HTTP ' + r.status);
    const ans = await r.json();
    kiosk_id = ans.kiosk_id;
    token = ans.token;
  }
  Page.phone = {
    kiosk_id, seed, token, seq: 1, prev_hash: null,
    guard: user || null, enrolled_by: user || null,
    pinned: Page.config.trust, pinned_lists: Page.config.trust_lists || [],
  };
  await store.put('kv', 'phone', Page.phone);
  await event('start', 'start', 'patrol phone enrolled' + (user ? ' by ' + user : '') + ' (' + navigator.userAgent + ')');
  try { Page.persisted = await navigator.storage?.persist?.(); } catch (_) { Page.persisted = false; }
}

// ---------------------------------------------------------------- start
function sameTrust(a, b) {
  const norm = (t) => JSON.stringify(['roots', 'keys', 'retired'].map((k) => (t?.[k] || []).slice().sort()));
  return norm(a) === norm(b);
}

async function start() {
  try {
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('sw.js').catch(() => {});
    }
    db = await openDb();
    Page.settings = (await store.get('kv', 'settings')) || Page.settings;
    Page.phone = (await store.get('kv', 'phone')) || null;
    Page.lists = (await store.get('kv', 'lists')) || [];
    Page.outbox = await store.count('outbox');
    Page.config = await (await fetch('config.json', { cache: 'no-store' })).json();
    await loadWasm();
    if (Page.phone) {
      Page.trustMismatch = !sameTrust(Page.phone.pinned, Page.config.trust);
      await takeLists([]);
    }
    try { Page.persisted = await navigator.storage?.persisted?.(); } catch (_) { Page.persisted = false; }
    await loadWords();
  } catch (e) {
    $('trust-line').className = 'trust bad';
    $('trust-line').textContent = e.message;
    return;
  }
  wire();
  if (!Page.phone) {
    $('enrol-help').textContent = Page.config.mode === 'bundle' ? w('enrol_help_bundle') : w('enrol_help');
    if (Page.config.mode === 'bundle') {
      $('enrol-user').required = false;
      $('enrol-password').required = false;
      $('enrol-password').closest('label').hidden = true;
    }
    show('enrol');
  } else {
    show('scan');
    startCamera();
  }
  renderStatus();
  Page.stats.readyMs = performance.now();
  sync();
  setInterval(sync, 15000);
  window.addEventListener('online', sync);
}

function wire() {
  $('enrol-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('enrol-error').textContent = '';
    try {
      await enrol($('enrol-user').value.trim(), $('enrol-password').value);
      $('enrol-password').value = '';
      await sync();
      show('scan');
      startCamera();
    } catch (e) {
      $('enrol-error').textContent = w('enrol_refused', { why: e.message });
    }
    renderStatus();
  });
  $('verdict-next').addEventListener('click', () => { show('scan'); Page.last = { text: '', at: 0 }; });
  // Sign in with the staff badge shown next, or the one in view now.
  $('guard-button').addEventListener('click', () => {
    Page.signingIn = !Page.signingIn;
    Page.last = { text: '', at: 0 };
    $('guard-note').textContent = '';
    renderGuard();
  });
  $('settings-button').addEventListener('click', () => { renderSettings(); show('settings'); });
  $('settings-close').addEventListener('click', () => show('scan'));
  $('lang-select').addEventListener('change', async (ev) => {
    Page.settings = { ...Page.settings, lang: ev.target.value };
    await store.put('kv', 'settings', Page.settings);
    await loadWords();
    renderSettings();
    renderStatus();
  });
  $('zone-select').addEventListener('change', async (ev) => {
    Page.settings = { ...Page.settings, zone: ev.target.value };
    await store.put('kv', 'settings', Page.settings);
  });
  $('sync-button').addEventListener('click', sync);
  $('export-button').addEventListener('click', async () => {
    const lines = (await store.all('outbox')).map((r) => JSON.stringify(r)).join('\n');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([lines + '\n'], { type: 'application/x-ndjson' }));
    a.download = (Page.phone?.kiosk_id || 'patrol') + '-checks.jsonl';
    a.click();
  });
  $('forget-button').addEventListener('click', async () => {
    const n = await store.count('outbox');
    const ask = n > 0 ? w('forget_unsent', { n: String(n) }) : w('forget_confirm');
    if (!window.confirm(ask)) return;
    db.close();
    await req(indexedDB.deleteDatabase('badgegate-patrol')).catch(() => {});
    location.reload();
  });
  window.addEventListener('beforeunload', (ev) => {
    if (Page.outbox > 0 && Page.config?.mode !== 'bundle' && Page.online.ok === false) {
      ev.preventDefault();
      ev.returnValue = w('unsent', { n: String(Page.outbox) });
    }
  });
}

start();
