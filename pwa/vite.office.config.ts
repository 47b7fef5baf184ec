/**
 * The office app (/office/) and the API docs (/api/docs): a second build into the same dist/, after the field
 * app's, so that the field app's bundle and its service worker's precache stay exactly its own.
 */
import preact from "@preact/preset-vite";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: "dist",
    // The field app was built into dist/ first.
    emptyOutDir: false,
    // Not "assets": /office/assets is a screen of the app.
    assetsDir: "office/_app",
    sourcemap: false,
    target: "es2022",
    // Swagger UI is one large file, loaded only by the docs page.
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      input: {
        office: fileURLToPath(new URL("./office/index.html", import.meta.url)),
        docs: fileURLToPath(new URL("./api-docs/index.html", import.meta.url)),
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
