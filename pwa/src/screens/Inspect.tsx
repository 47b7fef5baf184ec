/** An inspection: the asset type's checklist from the cache, answered item by item, queued as one command. */
import { useEffect, useState } from "preact/hooks";
import { useAsset } from "../assets";
import { checklistTitle, isAnswered, itemLabel, progressOf, type Answer, type ChecklistItem } from "../checklists";
import { PhotoPicker, type PickedPhoto } from "../components/PhotoPicker";
import { presenceArgs, PresenceCheck, usePresence } from "../components/PresenceCheck";
import { allCached, type Cached } from "../db";
import type { GpsFix } from "../gps";
import { language, t } from "../i18n";
import { enqueue } from "../outbox";
import { navigate } from "../router";
import { showToast } from "../state";
import { syncNow } from "../sync";
import { AssetLoading, AssetNotFound } from "../components/AssetMissing";

interface PhotoAnswer extends Answer {
  photos: PickedPhoto[];
}

function checklistFor(checklists: Cached[], assetType: unknown): Cached | undefined {
  return checklists
    .filter((checklist) => checklist.asset_type === assetType)
    .sort((a, b) => Number(b.version) - Number(a.version))[0];
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
  const [answers, setAnswers] = useState<Record<string, PhotoAnswer>>({});
  const [note, setNote] = useState("");
  const presence = usePresence(view?.project, view?.asset);
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
  const title = checklistTitle(checklist, language());
  const progress = progressOf(items, answers);
  const label = (item: ChecklistItem) => itemLabel(item, language());
  const answerOf = (key: string): PhotoAnswer => answers[key] ?? { photos: [] };
  const update = (key: string, patch: Partial<PhotoAnswer>) =>
    setAnswers((all) => ({ ...all, [key]: { ...(all[key] ?? { photos: [] }), ...patch } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const missing = items.filter((item) => item.required && !isAnswered(item, answers[item.key]));
    if (missing.length) {
      setError(t("inspect.missing", { items: missing.map(label).join(t("screens.listSeparator")) }));
      return;
    }
    if (!presence.presence.ok) return setError(t("screens.presence.blocked"));
    const payload: Record<string, { value?: boolean | string | null; photos?: string[] }> = {};
    const hashes: string[] = [];
    for (const item of items) {
      const answer = answers[item.key];
      if (answer?.na && !item.required) {
        // Not applicable: an explicit blank answer, which an optional item may have.
        payload[item.key] = { value: null };
        continue;
      }
      if (!isAnswered(item, answer) && !answer?.photos.length) continue;
      const entry: { value?: boolean | string | null; photos?: string[] } = {};
      if (item.kind !== "photo" && answer!.value !== undefined && answer!.value !== "") entry.value = answer!.value;
      if (answer!.photos.length) entry.photos = answer!.photos.map((photo) => photo.sha256);
      if (entry.value === undefined && !entry.photos) continue;
      payload[item.key] = entry;
      hashes.push(...(entry.photos ?? []));
    }
    setSubmitting(true);
    const args: Record<string, unknown> = { asset_id: asset.id, checklist_id: checklist.id, answers: payload };
    const { gps, remote_reason } = presenceArgs(presence.presence) as { gps?: GpsFix; remote_reason?: string };
    if (gps) args.gps = { latitude: gps.latitude, longitude: gps.longitude, accuracy_m: gps.accuracy_m };
    if (remote_reason) args.remote_reason = remote_reason;
    if (note.trim()) args.note = note.trim();
    if (flagId !== null) args.flag_id = flagId;
    await enqueue({
      name: "inspection.submit",
      args,
      photo_hashes: [...new Set(hashes)],
      summary: `${String(asset.code)}${t("screens.colon")}${title}`,
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
      <p class="hint" data-testid="checklist-title">
        {t("inspect.checklist", { name: title, version: String(checklist.version) })}
      </p>
      <p class="progress" data-testid="checklist-progress" data-answered={String(progress.answered)} data-total={String(progress.total)}>
        {t("screens.inspect.progress", progress)}
      </p>
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
                        checked={!answer.na && answer.value === (choice === "pass")}
                        onChange={() => update(item.key, { value: choice === "pass", na: false })}
                      />
                      {t(`inspect.${choice}`)}
                    </label>
                  ))}
                  {!item.required && (
                    <label class="choice">
                      <input
                        type="radio"
                        name={id}
                        value="na"
                        data-testid="item-na"
                        checked={Boolean(answer.na)}
                        onChange={() => update(item.key, { value: undefined, na: true })}
                      />
                      {t("screens.inspect.na")}
                    </label>
                  )}
                </div>
              )}
              {item.kind !== "pass_fail" && !item.required && (
                <label class="choice na">
                  <input
                    type="checkbox"
                    data-testid="item-na"
                    checked={Boolean(answer.na)}
                    onChange={(e) => update(item.key, { na: e.currentTarget.checked })}
                  />
                  {t("screens.inspect.na")}
                </label>
              )}
              {item.kind === "number" && (
                <div class="field">
                  {(item.number_min !== null || item.number_max !== null) && (
                    <p class="hint">
                      {t("inspect.range", { min: item.number_min ?? "", max: item.number_max ?? "", unit: item.number_unit ?? "" })}
                    </p>
                  )}
                  <input
                    id={id}
                    type="number"
                    inputMode="decimal"
                    step="any"
                    aria-label={label(item)}
                    disabled={Boolean(answer.na)}
                    value={typeof answer.value === "string" ? answer.value : ""}
                    onInput={(e) => update(item.key, { value: e.currentTarget.value })}
                  />
                </div>
              )}
              {item.kind === "text" && (
                <div class="field">
                  <textarea
                    id={id}
                    aria-label={label(item)}
                    disabled={Boolean(answer.na)}
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
          <label for="inspection-note">{t("screens.inspect.note")}</label>
          <textarea id="inspection-note" rows={2} maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <PresenceCheck project={project} asset={asset} state={presence} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary big" data-testid="inspection-submit" disabled={compressing > 0 || submitting || !presence.presence.ok}>
          {t("inspect.submit")}
        </button>
      </form>
    </main>
  );
}
