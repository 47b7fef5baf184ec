/** What an asset screen shows before its asset is read from the cache, or when the cache has no such code. */
import { t } from "../i18n";

export function AssetLoading() {
  return <main class="screen">{t("app.loading")}</main>;
}

export function AssetNotFound({ code, scanLink = false }: { code: string; scanLink?: boolean }) {
  return (
    <main class="screen">
      <p class="error" data-testid={scanLink ? "scan-error" : undefined} role="alert">
        {t("asset.notFound", { code })}
      </p>
      {scanLink && <a href="/">{t("nav.scan")}</a>}
    </main>
  );
}
