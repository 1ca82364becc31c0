// Starts Swagger UI on /docs from a file, so the page needs no inline script (CSP).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
