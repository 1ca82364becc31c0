// The work and model pickers without a link: their choices come from the clerk's own subtree
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
