// Starts Swagger UI from our own static copy (no inline script, so the page keeps a strict CSP).
(function () {
  "use strict";
  const element = document.getElementById("swagger-ui");
  if (!element || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({ url: element.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
})();
