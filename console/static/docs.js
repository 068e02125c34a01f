// The API documentation page: Swagger UI from the package swagger-ui-bundle-v2, served by the console (no network).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
});
