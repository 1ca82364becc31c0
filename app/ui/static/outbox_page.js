// The outbox page (/outbox): the records waiting on this machine, oldest first, with what
// the server said of a refused one, a link to correct it, and for a record changed by
// someone else meanwhile, both versions side by side for the clerk to choose.
import * as store from "./outbox_store.js";
import { refresh, send } from "./outbox.js";

const user = document.querySelector('meta[name="dvk-user"]').content;
const list = document.getElementById("outbox-list");
const STATE = { waiting: "Chờ gửi", refused: "Bị từ chối", conflict: "Có người đã sửa trước" };

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  n.append(...children.filter((c) => c !== null && c !== undefined));
  return n;
}

// "19:05 06/12/2026", Vietnam's time, as the pages print a moment.
function when(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh",
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false })
    .formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return parts.hour + ":" + parts.minute + " " + parts.day + "/" + parts.month + "/" + parts.year;
}

function fields(shown) {
  const dl = el("dl", { class: "outbox-fields" });
  for (const [label, text] of shown) if (text) dl.append(el("dt", {}, label), el("dd", {}, text));
  return dl;
}

// Theirs and mine side by side, for the fields where they differ; the others are the same.
function sideBySide(record) {
  const theirs = new Map(record.theirs.shown.map((p) => [p[0], p[1]]));
  const rows = record.shown.filter(([label, mine]) => (theirs.get(label) || "") !== mine)
    .map(([label, mine]) => el("tr", {}, el("th", { scope: "row" }, label),
      el("td", {}, theirs.get(label) || "(trống)"), el("td", {}, mine || "(trống)")));
  return el("div", { class: "scroll", role: "region", "aria-label": "So sánh hai bản", tabindex: "0" },
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Mục"),
      el("th", { scope: "col" }, "Trên máy chủ (người khác đã sửa)"), el("th", { scope: "col" }, "Của tôi"))),
    el("tbody", {}, ...rows)));
}

function button(text, cls, act) {
  const b = el("button", { type: "button", class: cls }, text);
  b.addEventListener("click", act);
  return b;
}

async function keepMine(record) {
  // Sent again over the version read just now: the clerk has seen what it replaces.
  record.fields = record.fields.map((f) => (f[0] === "version" ? ["version", record.theirs.version] : f));
  Object.assign(record, { state: "waiting", theirs: null, messages: [] });
  await store.put(record);
  await sendNow();
}

async function discard(record) {
  await store.remove(record.id);
  await show();
}

function item(record) {
  const li = el("li", { class: "card outbox-item " + record.state });
  const title = record.title.charAt(0).toUpperCase() + record.title.slice(1);
  li.append(el("h2", {}, title + " · thứ tự " + record.id),
    el("p", { class: "muted" }, "Nhập lúc " + when(record.made) + " · " + STATE[record.state]));
  const actions = el("div", { class: "actions" });
  if (record.state === "conflict") {
    li.append(el("p", { class: "notice error" }, "Trong lúc bạn sửa trên máy này, bản ghi đã được sửa "
      + "trên máy chủ. Không bản nào bị ghi đè: hãy chọn giữ bản nào. Các mục không kể dưới đây giống nhau."));
    li.append(sideBySide(record));
    actions.append(button("Giữ bản của tôi", "primary", () => keepMine(record)),
      button("Giữ bản trên máy chủ", "", () => discard(record)));
  } else {
    for (const m of record.messages || []) li.append(el("p", { class: "notice error" }, m));
    li.append(fields(record.shown));
    // An edit is corrected on its record's own form, which carries the version read.
    const edit = record.fields.some((f) => f[0] === "version");
    actions.append(el("a", { href: (edit ? record.action + "/edit" : record.page) + "#outbox-" + record.id },
      "Sửa bản ghi " + record.id));
    actions.append(button("Bỏ bản ghi " + record.id, "danger", () => discard(record)));
  }
  li.append(actions);
  return li;
}

async function show() {
  const records = await store.list(user);
  list.replaceChildren(...records.map(item));
  document.getElementById("outbox-empty").hidden = records.length > 0;
  await refresh();
}

const said = document.getElementById("outbox-said");
async function sendNow() {
  said.textContent = "Đang gửi…";
  const result = await send();
  said.textContent = { sent: "Đã gửi xong những gì gửi được.", offline: "Chưa có kết nối; sẽ gửi khi có mạng.",
    "sign-in": "Phiên đăng nhập đã hết: hãy đăng nhập lại, các bản ghi vẫn còn trên máy.",
    "other-user": "Đang đăng nhập bằng tài khoản khác." }[result] || "";
  await show();
}

document.getElementById("outbox-send").addEventListener("click", sendNow);
document.addEventListener("outbox:changed", () => {
  store.list(user).then((r) => { if (r.length !== list.children.length) show(); });
});
show();
