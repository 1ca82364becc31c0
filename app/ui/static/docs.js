// Starts Swagger UI on /docs from a file, so the page needs no inline script (CSP).
// No deep links: Swagger UI puts each one inside its operation's button, a link in a button
// that a keyboard or a screen reader cannot reach on its own (axe: nested-interactive).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: false });
});
