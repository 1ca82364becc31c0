// The outbox's local store (IndexedDB): records saved on this machine while the link was
// down, in the order they were made (an auto-increasing id), each with its own key, so that
// a closed browser loses none and a retry never saves one twice.
const DB = "dvk-outbox";
const STORE = "records";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

export function add(record) { return run("readwrite", (s) => s.add(record)); }
export function put(record) { return run("readwrite", (s) => s.put(record)); }
export function remove(id) { return run("readwrite", (s) => s.delete(id)); }
export function get(id) { return run("readonly", (s) => s.get(id)); }

// One user's records, oldest first: another user on the same machine never sees or sends them.
export async function list(user) {
  const all = await run("readonly", (s) => s.getAll());
  return (all || []).filter((r) => r.user === user).sort((a, b) => a.id - b.id);
}

export async function clear(user) {
  for (const r of await list(user)) await remove(r.id);
}
