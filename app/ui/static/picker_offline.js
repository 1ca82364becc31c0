// The unit search picker (a large tree) and the work and model pickers without a link: their choices come from the clerk's own subtree
// (/offline/subtree.json, kept by the service worker for this user), by the server's rule: a
// record may refer to a work or model on one line of the tree with its unit (above or below).
let subtree = null;

async function load() {
  if (!subtree) subtree = await (await fetch("/offline/subtree.json")).json();
  return subtree;
}

function line(units, id) {
  const parent = new Map(units.map((u) => [u.id, u.parent_id]));
  const on = new Set([id]);
  for (let p = parent.get(id); p; p = parent.get(p)) on.add(p);
  let grew = true;
  while (grew) {  // the units below, level by level
    grew = false;
    for (const u of units) if (!on.has(u.id) && on.has(u.parent_id) && isBelow(parent, u.id, id)) { on.add(u.id); grew = true; }
  }
  return on;
}

function isBelow(parent, id, top) {
  for (let p = parent.get(id); p; p = parent.get(p)) if (p === top) return true;
  return false;
}

export async function fill(select) {
  const form = select.form;
  const unit = form.querySelector("#f-unit_id") || form.querySelector('[name="unit_id"]:checked');
  const id = unit ? Number(unit.value) : 0;
  const kind = select.name === "model_id" ? "models" : "works";
  let data;
  try { data = await load(); } catch (err) { return; }
  const on = id ? line(data.units, id) : new Set();
  const rows = (data[kind] || []).filter((r) => on.has(r.unit_id));
  const first = new Option(!id ? "— chọn đơn vị trước —" : rows.length ? "— không gắn —" : "— đơn vị này chưa có —", "");
  select.replaceChildren(first, ...rows.map((r) => new Option(r.name, String(r.id))));
}

// What is typed, read as the server's search reads names (app.vn.fold, whose result each unit
// of the subtree carries as `key`): without marks, đ as d, lower case, single spaces.
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
    .toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

const SHOWN = 20;  // as many as the server's picker shows (unit_picker.SHOWN)

// How well a unit's name matches, by the server's order (app.services.unit_search.rank): the
// name itself, with or without its kind word; then a name starting with it; then a word that
// does; then anywhere; then each word somewhere (smaller is better).
export function rank(key, typed, kinds) {
  const forms = [typed, ...kinds.map((k) => k + " " + typed)];
  if (forms.includes(key)) return 0;
  if (forms.some((f) => key.startsWith(f))) return 1;
  if ((" " + key).includes(" " + typed)) return 2;
  return key.includes(typed) ? 3 : 4;  // 4: each word somewhere
}

// The units whose name holds what is typed (folded), in the picker's order.
export function ordered(units, typed, kinds) {
  const words = typed.split(" ");
  return units.filter((u) => words.every((w) => u.key.includes(w)))
    .map((u) => [u.ended ? 1 : 0, rank(u.key, typed, kinds), u])
    .sort((a, b) => (a[0] - b[0]) || (a[1] - b[1]) || a[2].key.localeCompare(b[2].key))
    .map(([, , u]) => u);
}

// The search picker's units found, from the subtree: those in force first (as the server puts
// those in force on the record's date first), then by how well the name matches, then by name.
export async function searchUnits(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const name = input.name.replace(/_q$/, "");
  let data;
  try { data = await load(); } catch (err) { return; }
  const typed = fold(input.value);
  const byId = new Map(data.units.map((u) => [u.id, u]));
  const kinds = data.kind_words || [];
  const found = typed ? ordered(data.units, typed, kinds) : [];
  const kept = [...list.querySelectorAll("label.pick")].filter((l) => {
    const r = l.querySelector("input"); return r && (r.checked || r.value === "");
  });
  const status = document.createElement("p");
  status.className = "muted"; status.setAttribute("role", "status");
  status.textContent = !typed ? "" : found.length
    ? found.length + " đơn vị khớp “" + input.value.trim() + "” (tìm trên máy, khi mất kết nối)."
    : "Không tìm thấy đơn vị nào khớp “" + input.value.trim() + "”.";
  const rows = found.filter((u) => !kept.some((l) => l.querySelector("input").value === String(u.id)))
    .slice(0, SHOWN).map((u) => {
      const path = [];
      for (let p = byId.get(u.parent_id); p; p = byId.get(p.parent_id)) path.unshift(p.name);
      const label = document.createElement("label");
      label.className = "pick";
      const radio = Object.assign(document.createElement("input"), { type: "radio", name, value: String(u.id) });
      const strong = document.createElement("strong");
      strong.textContent = u.name;
      const where = document.createElement("span");
      where.className = "muted";
      where.textContent = path.length ? " " + path.join(data.path_separator) : "";
      label.append(radio, " ", strong, where);
      return label;
    });
  list.replaceChildren(list.querySelector("legend") || "", ...kept, ...rows, status);
}
