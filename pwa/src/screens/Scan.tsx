/** The scan screen: camera, a photo of a label, or the code typed in; a known asset opens its card. */
import { useEffect, useState } from "preact/hooks";
import { exactHit, searchCached, type SearchHit } from "../assets";
import { cameraAvailable } from "../camera";
import { CameraScanner } from "../components/CameraScanner";
import { ReminderTasks } from "../components/ReminderTasks";
import { db } from "../db";
import { t } from "../i18n";
import { resolveLabel } from "../labels";
import { navigate } from "../router";
import { decodeFile } from "../scan";
import { AssetList } from "./Assets";

export function Scan() {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [cached, setCached] = useState<number | null>(null);
  const [hits, setHits] = useState<{ query: string; hits: SearchHit[] } | null>(null);

  useEffect(() => {
    void db().then((database) => database.count("cache_assets").then(setCached));
  }, []);

  const open = async (text: string) => {
    const resolved = await resolveLabel(text);
    if (resolved.ok) {
      navigate(`/a/${encodeURIComponent(String(resolved.asset.code))}`);
    } else {
      setError(t(`scan.${resolved.problem}`, { code: resolved.code ?? "" }));
    }
  };

  /** A label URL opens its asset; anything else is searched in the cache (code, unit name, floor). */
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setHits(null);
    const query = code.trim();
    if (!query || /^[a-z][a-z0-9+.-]*:/i.test(query)) return open(query);
    const found = await searchCached(query);
    const only = exactHit(found) ?? (found.length === 1 ? found[0].asset : undefined);
    if (only) navigate(`/a/${encodeURIComponent(String(only.code))}`);
    else if (found.length) setHits({ query, hits: found });
    else setError(t("screens.search.none", { query }));
  };

  const fromFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    setBusy(true);
    try {
      const [text] = await decodeFile(file);
      if (text) await open(text);
      else setError(t("scan.none"));
    } catch (failure) {
      setError(t("error.generic", { message: (failure as Error).message }));
    } finally {
      setBusy(false);
      input.value = "";
    }
  };

  return (
    <main class="screen">
      <h1>{t("scan.title")}</h1>
      <ReminderTasks />
      <button
        type="button"
        class="primary big"
        data-testid="scan-camera"
        onClick={() => {
          setError(null);
          if (cameraAvailable()) setScanning(true);
          else setError(t("scan.cameraUnavailable"));
        }}
      >
        {t("scan.camera")}
      </button>
      {scanning && (
        <CameraScanner
          onText={(text) => {
            setScanning(false);
            void open(text);
          }}
          onError={(message) => {
            setScanning(false);
            setError(message);
          }}
          onClose={() => setScanning(false)}
        />
      )}
      <div class="field">
        <input id="scan-file" class="visually-hidden" type="file" accept="image/*" data-testid="scan-file" onChange={fromFile} />
        <label for="scan-file" class="button-like file-button">
          {t("scan.file")}
        </label>
        {busy && <p class="hint">{t("scan.decoding")}</p>}
      </div>
      <form onSubmit={submit} class="inline-form">
        <label for="scan-code">{t("screens.search.label")}</label>
        <div class="row">
          <input
            id="scan-code"
            data-testid="scan-code"
            autocapitalize="characters"
            autocomplete="off"
            placeholder={t("screens.search.placeholder")}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <button type="submit" data-testid="scan-code-submit">
            {t("scan.submit")}
          </button>
        </div>
      </form>
      {error && (
        <p class="error" data-testid="scan-error" role="alert">
          {error}
        </p>
      )}
      {hits && (
        <section class="card" data-testid="search-results">
          <p class="hint">{t("screens.search.results", { count: hits.hits.length, query: hits.query })}</p>
          <AssetList assets={hits.hits.map((hit) => hit.asset)} />
        </section>
      )}
      <p>
        <a href="/assets" class="button-like" data-testid="assets-link">
          {t("screens.search.all")}
        </a>
      </p>
      {cached !== null && <p class="hint">{t("scan.cached", { count: cached })}</p>}
    </main>
  );
}
