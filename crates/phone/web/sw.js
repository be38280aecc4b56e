'use strict';
// The patrol page offline: its files are kept in a cache named after this
// build (the office writes VERSION when it serves or bundles the page),
// served from there first; config.json and data.json are asked for from
// the network first; the office's api/ is never cached (the page keeps
// what it verified in its own storage).
const VERSION = '__VERSION__';
const CACHE = 'badgegate-patrol-' + VERSION;
const SHELL = [
  './', 'index.html', 'phone.js', 'patrol.js', 'patrol.css', 'phone.wasm', 'manifest.webmanifest', 'icon.svg',
  'config.json',
  'words/en.json', 'words/ru.json', 'words/tg.json',
  'screen-words/en.json', 'screen-words/ru.json', 'screen-words/tg.json',
];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('badgegate-patrol-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.includes('/api/')) return;
  const fresh = url.pathname.endsWith('/config.json') || url.pathname.endsWith('/data.json');
  if (fresh) {
    ev.respondWith(
      fetch(ev.request).then((r) => {
        if (r.ok) caches.open(CACHE).then((c) => c.put(ev.request, r.clone()));
        return r.clone();
      }).catch(() => caches.match(ev.request, { ignoreSearch: true })),
    );
    return;
  }
  ev.respondWith(
    caches.match(ev.request, { ignoreSearch: true }).then((hit) => hit || fetch(ev.request)),
  );
});
