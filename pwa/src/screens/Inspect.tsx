/** An inspection: the asset type's checklist from the cache, answered item by item, queued as one command. */
import { useEffect, useState } from "preact/hooks";
import { useAsset } from "../assets";
import { GpsCapture } from "../components/GpsCapture";
import { PhotoPicker, type PickedPhoto } from "../components/PhotoPicker";
import { allCached, type Cached } from "../db";
import { fixForCommand, type GpsFix } from "../gps";
import { language, t } from "../i18n";
import { enqueue } from "../outbox";
import { navigate } from "../router";
import { showToast } from "../state";
import { syncNow } from "../sync";
import { AssetLoading, AssetNotFound } from "../components/AssetMissing";

interface ChecklistItem {
  key: string;
  label_zh: string;
  label_en: string;
  kind: "pass_fail" | "number" | "text" | "photo";
  required: boolean;
  number_min: string | null;
  number_max: string | null;
  number_unit: string | null;
  position: number;
}

interface Answer {
  value?: boolean | string;
  photos: PickedPhoto[];
}

function checklistFor(checklists: Cached[], assetType: unknown): Cached | undefined {
  return checklists
    .filter((checklist) => checklist.asset_type === assetType)
    .sort((a, b) => Number(b.version) - Number(a.version))[0];
}

function isAnswered(item: ChecklistItem, answer: Answer | undefined): boolean {
  if (!answer) return false;
  if (item.kind === "photo") return answer.photos.length > 0;
  return answer.value !== undefined && answer.value !== "";
}

/** The flag an inspection answers, from the address (`?flag=12`, from the card's "answer" action). */
export function flagInAddress(search: string): number | null {
  const value = new URLSearchParams(search).get("flag");
  return value && /^[1-9][0-9]*$/.test(value) ? Number(value) : null;
}

export function Inspect({ code }: { code: string }) {
  const { view } = useAsset(code);
  const [flagId] = useState(() => flagInAddress(location.search));
  const [checklists, setChecklists] = useState<Cached[] | null>(null);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [note, setNote] = useState("");
  const [fix, setFix] = useState<GpsFix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [compressing, setCompressing] = useState(0);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    void allCached("cache_checklists").then(setChecklists);
  }, []);

  if (view === undefined || checklists === null) return <AssetLoading />;
  if (view === null) return <AssetNotFound code={code} />;
  const { asset, project } = view;
  const answering = flagId === null ? undefined : view.flags?.flags.find((flag) => flag.id === flagId);
  const checklist = checklistFor(checklists, asset.asset_type);
  if (!checklist) {
    return (
      <main class="screen">
        <p class="notice">{t("inspect.noChecklist")}</p>
      </main>
    );
  }
  const items = [...((checklist.items as ChecklistItem[]) ?? [])].sort((a, b) => a.position - b.position);
  const label = (item: ChecklistItem) => (language() === "zh-CN" ? item.label_zh : item.label_en) || item.key;
  const answerOf = (key: string): Answer => answers[key] ?? { photos: [] };
  const update = (key: string, patch: Partial<Answer>) =>
    setAnswers((all) => ({ ...all, [key]: { ...(all[key] ?? { photos: [] }), ...patch } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const missing = items.filter((item) => item.required && !isAnswered(item, answers[item.key]));
    if (missing.length) {
      setError(t("inspect.missing", { items: missing.map(label).join(", ") }));
      return;
    }
    const payload: Record<string, { value?: boolean | string; photos?: string[] }> = {};
    const hashes: string[] = [];
    for (const item of items) {
      const answer = answers[item.key];
      if (!isAnswered(item, answer) && !answer?.photos.length) continue;
      const entry: { value?: boolean | string; photos?: string[] } = {};
      if (item.kind !== "photo" && answer!.value !== undefined && answer!.value !== "") entry.value = answer!.value;
      if (answer!.photos.length) entry.photos = answer!.photos.map((photo) => photo.sha256);
      if (entry.value === undefined && !entry.photos) continue;
      payload[item.key] = entry;
      hashes.push(...(entry.photos ?? []));
    }
    setSubmitting(true);
    const args: Record<string, unknown> = { asset_id: asset.id, checklist_id: checklist.id, answers: payload };
    if (fix) {
      const { latitude, longitude, accuracy_m } = fixForCommand(fix);
      args.gps = { latitude, longitude, accuracy_m };
    }
    if (note.trim()) args.note = note.trim();
    if (flagId !== null) args.flag_id = flagId;
    await enqueue({
      name: "inspection.submit",
      args,
      photo_hashes: [...new Set(hashes)],
      summary: `${String(asset.code)}: ${String(checklist.name)}`,
    });
    showToast(t("toast.queued"));
    navigate(`/a/${encodeURIComponent(code)}`);
    void syncNow().catch(() => undefined);
  };

  return (
    <main class="screen">
      <h1>
        {t("inspect.title")} · {String(asset.code)}
      </h1>
      <p class="hint">{t("inspect.checklist", { name: String(checklist.name), version: String(checklist.version) })}</p>
      {flagId !== null ? (
        <p class="notice" data-testid="inspect-flag" data-flag-id={String(flagId)}>
          {answering
            ? t("flags.answering", { kind: t(`iot.kind.${answering.kind}`), summary: answering.summary })
            : t("flags.answeringId", { id: flagId })}
        </p>
      ) : null}
      <form onSubmit={submit}>
        {items.map((item) => {
          const answer = answerOf(item.key);
          const id = `item-${item.key}`;
          return (
            <fieldset class="card item" key={item.key} data-testid="inspection-item" data-key={item.key}>
              <legend>
                {label(item)}
                {item.required && <span class="required"> ({t("inspect.required")})</span>}
              </legend>
              {item.kind === "pass_fail" && (
                <div class="choices" role="radiogroup">
                  {(["pass", "fail"] as const).map((choice) => (
                    <label key={choice} class="choice">
                      <input
                        type="radio"
                        name={id}
                        value={choice}
                        checked={answer.value === (choice === "pass")}
                        onChange={() => update(item.key, { value: choice === "pass" })}
                      />
                      {t(`inspect.${choice}`)}
                    </label>
                  ))}
                </div>
              )}
              {item.kind === "number" && (
                <div class="field">
                  <label for={id}>
                    {label(item)}
                    {(item.number_min !== null || item.number_max !== null) &&
                      ` · ${t("inspect.range", { min: item.number_min ?? "", max: item.number_max ?? "", unit: item.number_unit ?? "" })}`}
                  </label>
                  <input
                    id={id}
                    type="number"
                    inputMode="decimal"
                    step="any"
                    value={typeof answer.value === "string" ? answer.value : ""}
                    onInput={(e) => update(item.key, { value: e.currentTarget.value })}
                  />
                </div>
              )}
              {item.kind === "text" && (
                <div class="field">
                  <label for={id}>{label(item)}</label>
                  <textarea
                    id={id}
                    rows={2}
                    maxLength={2000}
                    value={typeof answer.value === "string" ? answer.value : ""}
                    onInput={(e) => update(item.key, { value: e.currentTarget.value })}
                  />
                </div>
              )}
              <PhotoPicker
                id={`${id}-photos`}
                testid="photo-input"
                assetId={asset.id}
                photos={answer.photos}
                onChange={(photos) => update(item.key, { photos })}
                onBusy={(busy) => setCompressing((n) => n + (busy ? 1 : -1))}
              />
            </fieldset>
          );
        })}
        <div class="field card">
          <label for="inspection-note">{t("inspect.note")}</label>
          <textarea id="inspection-note" rows={2} maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <GpsCapture project={project} asset={asset} fix={fix} onFix={setFix} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary big" data-testid="inspection-submit" disabled={compressing > 0 || submitting}>
          {t("inspect.submit")}
        </button>
      </form>
    </main>
  );
}
