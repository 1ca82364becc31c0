// Entry without a link, on every page (issue 21): the service worker, the "Chờ gửi: N" badge,
// an entry form saved into the outbox when the link is down, its sending when the link
// returns, and signing out with records waiting. Without script the pages work as before.
import * as store from "./outbox_store.js";
import { sendAll, shownOf } from "./outbox_send.js";

const meta = document.querySelector('meta[name="dvk-user"]');
const user = meta ? meta.content : "";
const RETRY_MS = 30000;
const SIGN_OUT = "dvk-sign-out-pending";

function $(sel) { return document.querySelector(sel); }

export async function refresh() {
  const bar = $("[data-outbox-bar]");
  if (!bar) return;
  const records = await store.list(user);
  const offline = !navigator.onLine;
  $("[data-outbox-count]").textContent = String(records.length);
  $("[data-outbox-badge]").hidden = records.length === 0;
  document.querySelectorAll("[data-offline-note]").forEach((n) => { n.hidden = !offline; });
  bar.hidden = !offline && records.length === 0 && !bar.dataset.signIn;
  document.dispatchEvent(new CustomEvent("outbox:changed"));
}

function tell(form, text, kind) {
  let p = form.querySelector("[data-outbox-notice]");
  if (!p) {
    p = document.createElement("p");
    p.setAttribute("data-outbox-notice", "");
    form.querySelector("h2").after(p);
  }
  p.className = "notice " + kind;
  p.setAttribute("role", kind === "error" ? "alert" : "status");
  p.textContent = text;
}

// A denunciation's identity is never written to this machine (registry `confidential`).
function secret(form) {
  const names = (form.dataset.confidential || "").split(" ").filter(Boolean);
  const [field, value] = (form.dataset.confidentialWhen || "=").split("=");
  const el = form.elements[field];
  return Boolean(el && el.value === value && names.some((n) => form.elements[n] && form.elements[n].value.trim()));
}

// A page opened from the cache carries the key of the form it was cached with, perhaps used
// already: every form gets its own key when the page opens (any text is a key to the server).
function renewKey(form) {
  const key = form && form.querySelector('input[name="submission"]');
  if (key) key.value = crypto.randomUUID();
}

async function stash(form) {
  if (secret(form)) {
    tell(form, "Đơn tố cáo có tên hoặc địa chỉ người gửi: thông tin này được bảo mật nên không lưu trên máy khi mất kết nối. Hãy gửi đơn khi có kết nối.", "error");
    return;
  }
  // The key is the one this form would send, or did send when the link failed on the way
  // (the server may have saved it: the same key then saves nothing new); the form gets a new
  // one for the next record.
  const fields = [];
  for (const [name, value] of new FormData(form)) {
    if (name === "csrf" || name === "_pick" || name.endsWith("_q") || typeof value !== "string") continue;
    fields.push([name, value]);
  }
  renewKey(form);
  const shown = shownOf(form, fields.map((f) => f[0]));
  const editing = form.dataset.outboxId ? await store.get(Number(form.dataset.outboxId)) : null;
  const record = { ...(editing || {}), user, fields, shown, state: "waiting", messages: [],
    theirs: null, action: (editing && editing.action) || form.getAttribute("action"),
    page: (editing && editing.page) || location.pathname,
    title: form.dataset.title || "", made: (editing && editing.made) || new Date().toISOString() };
  if (editing) {  // a correction keeps its key: the refused send saved nothing
    const key = editing.fields.find((f) => f[0] === "submission");
    if (key) record.fields = fields.map((f) => (f[0] === "submission" ? key : f));
    await store.put(record);
  } else {
    record.id = await store.add(record);
  }
  await refresh();
  if (editing) { document.getElementById("outbox-go").click(); return; }
  // A new form is emptied for the next record; an edit keeps what the clerk typed.
  if (!form.querySelector('[name="version"]')) form.reset();
  tell(form, "Đã lưu trên máy này, chờ gửi khi có kết nối (" + record.title + ", thứ tự " + record.id + ").", "ok");
}

export async function send() {
  const result = await sendAll(user);
  const bar = $("[data-outbox-bar]");
  if (bar) {
    const ask = $("[data-outbox-sign-in]");
    if (result === "sign-in") bar.dataset.signIn = "1"; else delete bar.dataset.signIn;
    if (ask) ask.hidden = result !== "sign-in";
  }
  await refresh();
  return result;
}

// The entry form, sent while the link is down, goes to the outbox instead of being lost.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!user || form.id !== "entry-form") return;
  const pick = event.submitter && event.submitter.name === "_pick";
  if (navigator.onLine && !form.dataset.outboxId) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  if (pick) {  // "Tìm" of a unit picker: a search, never a save
    const input = form.querySelector('[data-picker][name="' + event.submitter.value + '_q"]');
    if (input) import("./picker_offline.js").then((m) => m.searchUnits(input));
    return;
  }
  stash(form);
}, true);

// The link looked up but the send failed on the way: the same form goes to the outbox.
document.addEventListener("htmx:sendError", (event) => {
  const form = event.detail && event.detail.elt;
  const config = event.detail && event.detail.requestConfig;
  const by = config && config.triggeringEvent && config.triggeringEvent.submitter;
  if (by && by.name === "_pick") return;  // a search, not a save
  if (user && form && form.id === "entry-form" && config.verb === "post") stash(form);
});

// A work or model picker's choices, without a link: from the clerk's own subtree. Not asked
// of the server when the browser knows the link is down; asked, and then filled here, when
// the request fails on the way.
function choicesPicker(event) {
  const el = event.detail && event.detail.elt;
  return el && el.tagName === "SELECT" && (el.getAttribute("hx-get") || "").includes("/choices") ? el : null;
}

async function fillOffline(select) {
  (await import("./picker_offline.js")).fill(select);
}

document.addEventListener("htmx:beforeRequest", async (event) => {
  const el = event.detail && event.detail.elt;
  if (navigator.onLine || !el) return;
  const select = choicesPicker(event);
  if (select) { event.preventDefault(); fillOffline(select); return; }
  if (el.hasAttribute && el.hasAttribute("data-picker")) {  // the unit search of a large tree
    event.preventDefault();
    (await import("./picker_offline.js")).searchUnits(el);
  }
});
document.addEventListener("htmx:sendError", (event) => {
  const select = choicesPicker(event);
  if (select) fillOffline(select);
});

// A correction opened from the outbox page (…#outbox-<id>): the form as it was typed.
async function correct() {
  const m = /^#outbox-(\d+)$/.exec(location.hash);
  const form = document.getElementById("entry-form");
  if (!m || !form) return;
  const record = await store.get(Number(m[1]));
  if (!record || record.user !== user) return;
  for (const [name, value] of record.fields) {
    const el = form.elements[name];
    if (!el || el.type === "hidden" && name !== "version") continue;
    if (el.type === "checkbox") el.checked = true; else el.value = value;
  }
  form.dataset.outboxId = String(record.id);
  const back = document.createElement("a");
  back.id = "outbox-go"; back.href = "/outbox"; back.textContent = "Về danh sách chờ gửi";
  form.querySelector(".actions").append(back);
  tell(form, "Sửa bản ghi chờ gửi: " + (record.messages || []).join(" "), "error");
}

// Signing out asks what to do with records waiting, then leaves nothing of them here.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!user || form.getAttribute("action") !== "/logout" || form.dataset.cleared) return;
  event.preventDefault();
  const { askSignOut } = await import("./outbox_signout.js");
  if (await askSignOut(user, send)) {
    await store.clear(user);
    for (const name of await caches.keys()) if (name.startsWith("dvk-pages:")) await caches.delete(name);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
    }
    form.dataset.cleared = "1";
    // Without a link the server cannot end the session now: it is ended at the next page
    // this user opens with the link back (start, below).
    if (!navigator.onLine) localStorage.setItem(SIGN_OUT, user);
    form.submit();
  }
}, true);

// A sign-out made without a link, finished once the link is back.
async function signOutLeft() {
  if (localStorage.getItem(SIGN_OUT) !== user || !navigator.onLine) return false;
  try {
    const who = await fetch("/offline/session", { cache: "no-store", headers: { "HX-Request": "true" } });
    if (who.status === 200) {
      const { csrf } = await who.json();
      await fetch("/logout", { method: "POST", body: new URLSearchParams({ csrf }) });
    }
  } catch (err) {
    return false;  // still no link: tried again at the next page
  }
  localStorage.removeItem(SIGN_OUT);
  location.replace("/login");
  return true;
}

async function start() {
  if (!user) return;
  if (await signOutLeft()) return;
  renewKey(document.getElementById("entry-form"));
  await correct();
  await refresh();
  if ("serviceWorker" in navigator) {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const assets = [...document.querySelectorAll("link[rel=stylesheet], script[src]")]
      .map((el) => el.href || el.src)
      .concat(["/static/offline.html", "/static/outbox_store.js", "/static/outbox_send.js",
               "/static/outbox_signout.js", "/static/outbox_page.js", "/static/picker_offline.js",
               "/static/manifest.webmanifest", "/static/favicon.svg"]);
    if (navigator.onLine) ready.active.postMessage({ type: "hello", user, assets });
  }
  if (navigator.onLine) await send();
}

window.addEventListener("online", () => { refresh(); send(); });
window.addEventListener("offline", refresh);
setInterval(() => { if (navigator.onLine) send(); }, RETRY_MS);
start();
