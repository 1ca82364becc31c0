// DVK service worker (issue 21): the entry pages open without a link. Pages are kept per
// signed-in user (cache "dvk-pages:<user>"), learnt from the page's own <meta name="dvk-user">,
// and a page is only ever answered from the cache of the user seen last online: after a change
// of user, or a sign-out, the other user's pages are deleted, never served.
"use strict";

const ASSETS = "dvk-assets-1";
const PAGES = "dvk-pages:";
const META = "dvk-meta";
const OWNER = "/__dvk/owner";
// What a clerk enters offline: the entry pages, the outbox, and the pickers' local copy.
const ENTRY = ["/works", "/contributions", "/land-donations", "/petitions", "/models",
               "/outbox", "/offline/subtree.json"];
// Only these pages are kept: the entry pages, one record's edit form, and the outbox. A
// report or an account page is not needed offline and may hold what should not stay.
const KEPT = /^\/((works|contributions|land-donations|petitions|models)(\/new|\/\d+\/edit)?|outbox|offline\/subtree\.json)$/;
const FALLBACK = "/static/offline.html";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(ASSETS).then((c) => c.addAll([FALLBACK, "/static/app.css"]))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("dvk-assets-") && name !== ASSETS) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function owner() {
  const hit = await (await caches.open(META)).match(OWNER);
  return hit ? hit.text() : "";
}

// A new user on this machine: every other user's pages go, before anything of the new one
// is kept. An empty user (signed out) leaves no pages at all.
async function setOwner(user) {
  if ((await owner()) === user) return;
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + user) await caches.delete(name);
  }
  await (await caches.open(META)).put(OWNER, new Response(user));
}

// Whose page or fragment (an htmx form: its data-dvk-user) this is; "" when signed out.
function userOf(html) {
  const m = /<meta name="dvk-user" content="([^"]*)">/.exec(html) || / data-dvk-user="([^"]*)"/.exec(html);
  return m ? m[1].replace(/&#34;/g, '"').replace(/&amp;/g, "&") : "";
}

// An htmx request gets a fragment of the page at the same address: kept apart from the page.
function keyOf(url, request) {
  if (!request || !request.headers.get("HX-Request")) return url;
  return url + (url.includes("?") ? "&" : "?") + "__hx=1";
}

// Kept as a plain 200 (a redirected response may not answer a later navigation).
// Every page seen online says who is signed in (no one, on the sign-in page): the owner
// follows it at once, before any later page could be answered from another user's cache.
async function keep(url, response, request) {
  if (!response.ok || response.type !== "basic") return;
  const type = response.headers.get("Content-Type") || "";
  const navigation = request && request.mode === "navigate";
  if (!navigation && !KEPT.test(new URL(url).pathname)) return;
  const body = await response.text();
  let user;
  if (type.includes("json")) {
    try { user = JSON.parse(body).user || ""; } catch (e) { return; }
  } else {
    user = userOf(body);
    if (navigation && type.includes("html")) await setOwner(user);
    if (body.includes('<meta name="dvk-offline" content="no-store">')) return;
  }
  if (!user || !KEPT.test(new URL(url).pathname)) return;
  await setOwner(user);
  await (await caches.open(PAGES + user)).put(keyOf(url, request), new Response(body, {
    headers: { "Content-Type": type, "X-Kept-At": String(Date.now()) } }));
}

async function fromPages(request) {
  const user = await owner();
  if (!user) return undefined;
  const cache = await caches.open(PAGES + user);
  const url = new URL(request.url);
  return (await cache.match(keyOf(url.href, request)))
    || (await cache.match(keyOf(url.origin + url.pathname, request)));
}

async function page(event) {
  try {
    const response = await fetch(event.request);
    event.waitUntil(keep(response.url, response.clone(), event.request));
    return response;
  } catch (err) {
    const kept = await fromPages(event.request);
    if (kept) return kept;
    // An htmx request gets no whole page to swap in: its failure leaves the page as it was.
    if (event.request.headers.get("HX-Request")) return Response.error();
    return (await caches.match(FALLBACK))
      || new Response("Mất kết nối.", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

async function asset(event) {
  const cache = await caches.open(ASSETS);
  try {
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  } catch (err) {
    const hit = await cache.match(event.request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    // Signing out leaves nothing of the user's pages, even if the page's own script did not
    // run (the outbox itself is cleared by outbox.js, after asking).
    event.respondWith(setOwner("").then(() => fetch(request))
      .catch(() => caches.match(FALLBACK)));
    return;
  }
  if (request.method === "POST" && url.pathname === "/login") {
    // A sign-in that succeeded (a redirect) may be another user's: no page of the one before
    // is served from here on. One cut off on the way changes nothing, and says so.
    event.respondWith(fetch(request).then(async (response) => {
      if (response.type === "opaqueredirect" || response.redirected) await setOwner("");
      return response;
    }).catch(() => caches.match(FALLBACK)));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) { event.respondWith(asset(event)); return; }
  if (url.pathname === "/offline/subtree.json" && !request.headers.get("HX-Request")) {
    event.respondWith(page(event)); return;
  }
  // Pages, and the htmx fragments of the kept pages (a record's edit form opened from the list).
  if (request.mode === "navigate" || (request.headers.get("HX-Request") && KEPT.test(url.pathname))) {
    event.respondWith(page(event));
  }
});

// A page says what it loaded: the worker keeps those assets, and fetches the entry pages it
// lacks, so that they open offline after this one visit. Whose they are is read from the
// pages fetched (keep), never taken from the message: a tab left open by a user before could
// send it.
const STALE_MS = 30 * 60 * 1000;  // the pickers' copy is fetched again after this

async function lacking(user) {
  const pages = await caches.open(PAGES + user);
  const out = [];
  for (const u of ENTRY) {
    const hit = await pages.match(new URL(u, self.location.origin).href);
    const at = hit ? Number(hit.headers.get("X-Kept-At") || 0) : 0;
    if (!hit || (u.endsWith(".json") && Date.now() - at > STALE_MS)) out.push(u);
  }
  return out;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "signed-out") { event.waitUntil(setOwner("")); return; }
  if (data.type !== "hello" || !data.user) return;
  event.waitUntil((async () => {
    const assets = await caches.open(ASSETS);
    await Promise.all((data.assets || []).map((u) => assets.match(u).then((hit) => hit
      || fetch(u).then((r) => r.ok && assets.put(u, r)).catch(() => null))));
    await Promise.all((await lacking(data.user)).map((u) => fetch(u, { credentials: "same-origin" })
      .then((r) => keep(r.url, r)).catch(() => null)));
  })());
});
