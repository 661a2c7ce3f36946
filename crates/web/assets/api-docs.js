// Starts Swagger UI on the embedded OpenAPI document. Kept in a file so the CSP needs no inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
