// Sending the outbox when the link returns: oldest first, through the same form routes as a
// connected clerk (the server reads the Vietnamese numbers and dates in one place), each new
// record with its own `submission` key, which the server keeps with the record it saved: a
// send whose answer was lost is sent again and saves nothing new.
import * as store from "./outbox_store.js";

let busy = null;

// The signed-in user and a fresh form token (the page's may belong to an older sign-in).
async function session() {
  const r = await fetch("/offline/session", { cache: "no-store", headers: { "HX-Request": "true" } });
  if (r.status === 204 || r.status === 401 || r.redirected) return null;  // must sign in again
  if (!r.ok) throw new Error("session " + r.status);
  return r.json();
}

// What the server said about a refused form: its message and each field's, by label.
// The form's general line ("see the red messages beside each field") is left out when the
// fields' own messages are there: the outbox page shows no fields beside them.
export function messages(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const out = [];
  doc.querySelectorAll('[aria-invalid="true"]').forEach((el) => {
    const label = doc.querySelector('label[for="' + el.id + '"]');
    const said = (el.getAttribute("aria-describedby") || "").split(" ")
      .map((id) => doc.getElementById(id)).filter((n) => n && n.classList.contains("error"))
      .map((n) => n.textContent.trim()).join(" ");
    if (said) out.push((label ? labelText(label) + ": " : "") + said);
  });
  if (!out.length) doc.querySelectorAll(".notice.error").forEach((n) => out.push(n.textContent.trim()));
  if (!out.length) {
    const title = doc.querySelector("h1, h2");
    out.push(title ? title.textContent.trim() : "Máy chủ từ chối bản ghi này.");
  }
  return out;
}

// The record as the server holds it now (its edit form), for the side-by-side choice.
async function theirs(record) {
  const r = await fetch(record.action + "/edit", { cache: "no-store" });
  const doc = new DOMParser().parseFromString(await r.text(), "text/html");
  const form = doc.getElementById("entry-form");
  if (!form) return null;
  const version = form.querySelector('[name="version"]');
  return { version: version ? version.value : "", shown: shownOf(form, record.fields.map((f) => f[0])) };
}

// [label, text as shown] of the named fields of a form: a choice by its words, not its code.
export function shownOf(form, names) {
  const out = [];
  for (const name of names) {
    const el = form.querySelector('[name="' + name + '"]:not([type=hidden])');
    if (!el || out.some((p) => p[2] === name)) continue;
    const label = form.querySelector('label[for="' + el.id + '"]') || el.closest("label");
    let text = el.value;
    // A unit's option is indented by its depth ("— Lâm Giang"): the name alone is shown.
    if (el.tagName === "SELECT") text = el.selectedIndex >= 0 && el.value ? el.options[el.selectedIndex].text.replace(/^[—\s\u00a0]+/, "") : "";
    if (el.type === "checkbox") text = el.checked ? "Có" : "Không";
    out.push([label ? labelText(label) : name, text.trim(), name]);
  }
  return out;
}

// A label without its "required" star.
function labelText(label) {
  return label.textContent.replace(/\s*\*\s*$/, "").trim();
}

function same(a, b) {
  return JSON.stringify(a.map((p) => p[1])) === JSON.stringify(b.map((p) => p[1]));
}

async function sendOne(record, csrf) {
  const body = new URLSearchParams(record.fields);
  body.set("csrf", csrf);
  let r;
  try {
    r = await fetch(record.action, { method: "POST", body, cache: "no-store",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrf } });
  } catch (err) {
    return "offline";  // kept as it is, key and all, for the next try
  }
  if (r.status === 204 && r.headers.get("HX-Redirect")) return "sign-in";
  if (r.ok) { await store.remove(record.id); return "sent"; }
  if (r.status >= 500) return "offline";
  record.messages = messages(await r.text());
  record.state = "refused";
  if (r.status === 412) {
    const now = await theirs(record).catch(() => null);
    if (now && same(now.shown, record.shown)) { await store.remove(record.id); return "sent"; }
    if (now) { record.state = "conflict"; record.theirs = now; }
  }
  await store.put(record);
  return "refused";
}

// Sends what waits; answers "sent", "sign-in" (the session ended) or "offline". One send at a
// time in this tab, and across tabs by a lock, so a record is not sent by two at once.
export function sendAll(user) {
  if (busy) return busy;
  const work = async () => {
    // Nothing waiting, nothing asked of the server: most page loads cost no extra request.
    if (!(await store.list(user)).some((r) => r.state === "waiting")) return "sent";
    let who;
    try { who = await session(); } catch (err) { return "offline"; }
    if (!who) return "sign-in";
    if (who.user !== user) return "other-user";
    for (const record of await store.list(user)) {
      if (record.state !== "waiting") continue;
      const result = await sendOne(record, who.csrf);
      if (result === "offline" || result === "sign-in") return result;
    }
    return "sent";
  };
  const locked = navigator.locks ? navigator.locks.request("dvk-outbox", work) : work();
  busy = locked.finally(() => { busy = null; });
  return busy;
}
