// Signing out with records waiting: send them first, or discard them, or stay. The answer
// is true when the sign-out may go on (outbox.js then clears the local store and caches).
import * as store from "./outbox_store.js";

function dialog(count) {
  const d = document.createElement("dialog");
  d.className = "card signout";
  d.setAttribute("aria-labelledby", "signout-title");
  d.innerHTML = '<h2 id="signout-title"></h2><p data-say></p><div class="actions">'
    + '<button type="button" class="primary" value="send">Gửi rồi đăng xuất</button>'
    + '<button type="button" class="danger" value="discard">Bỏ các bản ghi và đăng xuất</button>'
    + '<button type="button" value="stay">Ở lại</button></div>';
  d.querySelector("h2").textContent = "Còn " + count + " bản ghi chờ gửi trên máy này";
  d.querySelector("[data-say]").textContent = "Đăng xuất sẽ xóa các bản ghi chờ gửi khỏi máy. "
    + "Hãy gửi chúng trước, hoặc bỏ chúng nếu không cần nữa.";
  document.body.append(d);
  return d;
}

export async function askSignOut(user, send) {
  const waiting = await store.list(user);
  if (!waiting.length) return true;
  const d = dialog(waiting.length);
  d.showModal();
  return new Promise((resolve) => {
    d.addEventListener("click", async (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.value === "stay") { d.close(); d.remove(); resolve(false); return; }
      if (button.value === "discard") { d.close(); d.remove(); resolve(true); return; }
      button.disabled = true;
      await send();
      const left = await store.list(user);
      button.disabled = false;
      if (!left.length) { d.close(); d.remove(); resolve(true); return; }
      d.querySelector("h2").textContent = "Còn " + left.length + " bản ghi chưa gửi được";
      d.querySelector("[data-say]").textContent = navigator.onLine
        ? "Máy chủ chưa nhận các bản ghi này (xem lý do ở trang Chờ gửi). Bỏ chúng để đăng xuất, hoặc ở lại để sửa."
        : "Chưa có kết nối. Ở lại để gửi sau, hoặc bỏ chúng để đăng xuất.";
    });
  });
}
