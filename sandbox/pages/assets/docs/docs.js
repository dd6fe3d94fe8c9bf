"use strict";
/* Starts Swagger UI over the live /openapi.json, with the bearer scheme pre-filled: the key of
   /docs?key=... (the dashboard links there for a minted key), else sk-sandbox-full. */
(() => {
  const body = document.body;
  const params = new URLSearchParams(window.location.search);
  const key = (params.get("key") || "").trim() || body.dataset.defaultKey;
  document.getElementById("docs-key").textContent = key;

  /* The document serves every path under /v1 and /, but the control plane lives under / only. */
  function toSandbox(request) {
    const url = new URL(request.url, window.location.href);
    if (url.origin === window.location.origin && url.pathname.startsWith("/v1/__sandbox/")) {
      url.pathname = url.pathname.slice("/v1".length);
      request.url = url.toString();
    }
    return request;
  }

  const ui = window.SwaggerUIBundle({
    url: body.dataset.specUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    syntaxHighlight: false,
    defaultModelRendering: "example",
    displayRequestDuration: true,
    showExtensions: true,
    filter: true,
    validatorUrl: null,
    requestInterceptor: toSandbox,
    onComplete: () => ui.preauthorizeApiKey("bearerAuth", key),
  });
  window.ui = ui;
})();
