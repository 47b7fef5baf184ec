/** The outbox: every command in device order with its state, and the server's reason for a refusal. */
import { useEffect, useState } from "preact/hooks";
import type { OutboxEntry } from "../db";
import { t } from "../i18n";
import { isPending, listOutbox, onOutboxChange } from "../outbox";
import { onSyncStatus, syncNow, type SyncStatus } from "../sync";
import { formatTime } from "./AssetCard";

export function Outbox() {
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  const [sync, setSync] = useState<SyncStatus | null>(null);

  useEffect(() => {
    const load = () => void listOutbox().then(setEntries);
    load();
    const stopOutbox = onOutboxChange(load);
    const stopSync = onSyncStatus(setSync);
    return () => {
      stopOutbox();
      stopSync();
    };
  }, []);

  const pendingEntries = entries.filter(isPending);
  return (
    <main class="screen">
      <h1>{t("outbox.title")}</h1>
      <div class="row">
        <button
          type="button"
          class="primary"
          data-testid="sync-now"
          disabled={sync?.running}
          onClick={() => void syncNow().catch(() => undefined)}
        >
          {sync?.running ? t("outbox.syncing") : t("outbox.syncNow")}
        </button>
        <span class="hint">
          {t("outbox.lastSync", { time: sync?.lastSyncAt ? formatTime(new Date(sync.lastSyncAt).toISOString()) : t("outbox.never") })}
        </span>
      </div>
      {sync?.stopped?.reason === "transient" && <p class="notice">{t("outbox.retryAt", { seconds: sync.stopped.retry_after })}</p>}
      {sync?.stopped?.reason === "gap" && <p class="notice">{t("outbox.gap", { seq: sync.stopped.waiting_for_seq })}</p>}
      {sync?.error && !sync.running && (
        <p class="hint">{sync.error === "offline" ? t("error.offline") : t("outbox.error", { message: sync.error })}</p>
      )}
      {!pendingEntries.length && (
        <p class="empty" data-testid="outbox-empty">
          {t("outbox.empty")}
        </p>
      )}
      <ol class="outbox">
        {entries.map((entry) => (
          <li
            key={entry.device_seq}
            class={`card outbox-item state-${entry.state}`}
            data-testid="outbox-item"
            data-state={entry.state}
            data-seq={String(entry.device_seq)}
            data-name={entry.name}
          >
            <div class="row">
              <strong>#{entry.device_seq}</strong>
              <span class={`pill pill-${entry.state}`}>{t(`outbox.state.${entry.state}`)}</span>
            </div>
            <p>{entry.summary}</p>
            <p class="hint">
              {entry.name} · {formatTime(entry.captured_at)}
            </p>
            {entry.state === "rejected" && (
              <p class="error" data-testid="outbox-reason">
                {entry.message ?? entry.code}
              </p>
            )}
          </li>
        ))}
      </ol>
    </main>
  );
}
