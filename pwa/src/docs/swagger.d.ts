declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  interface SwaggerUIBundle {
    (options: Record<string, unknown>): unknown;
    presets: { apis: unknown };
  }
  const bundle: SwaggerUIBundle;
  export default bundle;
}
