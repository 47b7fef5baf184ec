/** The API documentation: Swagger UI from our own build, reading the document the server describes itself with. */
import "swagger-ui-dist/swagger-ui.css";
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-es-bundle.js";

let csrfToken: string | null = null;
// Signed in to the office app in this browser: "Try it out" works with that session.
fetch("/api/auth/me", { headers: { Accept: "application/json" } })
  .then((response) => (response.ok ? response.json() : null))
  .then((me: { csrf_token?: string | null } | null) => {
    csrfToken = me?.csrf_token ?? null;
  })
  .catch(() => undefined);

SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // Unsafe requests from "Try it out" carry the session cookie; they also need the CSRF token of /api/auth/me.
  requestInterceptor: (request: { method?: string; headers: Record<string, string> }) => {
    if (csrfToken && request.method && request.method.toUpperCase() !== "GET") request.headers["X-CSRFToken"] = csrfToken;
    return request;
  },
});
