// Starts Swagger UI from our own static copy (no inline script, so the page keeps a strict CSP).
(function () {
  "use strict";
  const element = document.getElementById("swagger-ui");
  if (!element || !window.SwaggerUIBundle) return;
  // The page has its own title and h1: drop Swagger UI's info block, which would add a second h1.
  const withoutInfo = function () { return { wrapComponents: { InfoContainer: function () { return function () { return null; }; } } }; };
  window.SwaggerUIBundle({ url: element.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true, plugins: [withoutInfo] });
})();
