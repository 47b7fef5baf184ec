/**
 * The outbox: what this phone still has to send and what became of what it sent, grouped by where each
 * command stands (what needs the user first), with the drain's progress and a filter.
 */
import { useEffect, useState } from "preact/hooks";
import { allCached, type Cached, type OutboxEntry } from "../db";
import { describeCommand, displayState, GROUPS, redoPath, requestIdOf, type DisplayState } from "../describe";
import { t } from "../i18n";
import { discardRefused, listOutbox, onOutboxChange, retryRefused } from "../outbox";
import { navigate } from "../router";
import { persistence, showToast, useStore } from "../state";
import { drain, onSyncStatus, syncNow, type SyncStatus } from "../sync";
import { formatTime } from "./AssetCard";

/** Bytes as the screens say them: megabytes with one decimal. */
export function formatSize(bytes: number): string {
  return t("drain.megabytes", { size: (bytes / 1_000_000).toFixed(1) });
}

interface Row {
  entry: OutboxEntry;
  state: DisplayState;
  request: Cached | undefined;
}

function useRows(): Row[] {
  const [rows, setRows] = useState<Row[]>([]);
  useEffect(() => {
    let live = true;
    const load = async () => {
      const [entries, requests] = await Promise.all([listOutbox(), allCached("cache_requests")]);
      const byId = new Map(requests.map((request) => [request.id, request]));
      const next = entries.map((entry) => {
        const id = requestIdOf(entry);
        const request = id === null ? undefined : byId.get(id);
        return { entry, request, state: displayState(entry, request) };
      });
      if (live) setRows(next);
    };
    void load();
    const stopOutbox = onOutboxChange(() => void load());
    let wasRunning = false;
    // A pull may have brought a manager's decision on a sent report.
    const stopSync = onSyncStatus((status) => {
      if (wasRunning && !status.running) void load();
      wasRunning = status.running;
    });
    return () => {
      live = false;
      stopOutbox();
      stopSync();
    };
  }, []);
  return rows;
}

export function Outbox() {
  const rows = useRows();
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [filter, setFilter] = useState<string>("all");
  useEffect(() => onSyncStatus(setSync), []);

  const groups = GROUPS.map((group) => ({ ...group, rows: rows.filter((row) => group.states.includes(row.state)) }));
  const shown = groups.filter((group) => group.rows.length && (filter === "all" || filter === group.key));
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
        <span class="hint" data-testid="last-sync" data-at={sync?.lastSyncAt ? String(sync.lastSyncAt) : ""}>
          {t("outbox.lastSync", {
            time: sync?.lastSyncAt ? formatTime(new Date(sync.lastSyncAt).toISOString()) : t("outbox.never"),
          })}
        </span>
      </div>
      <DrainProgressView />
      {sync?.stopped?.reason === "transient" && <p class="notice">{t("outbox.retryAt", { seconds: sync.stopped.retry_after })}</p>}
      {sync?.stopped?.reason === "gap" && <p class="notice">{t("outbox.gap", { seq: sync.stopped.waiting_for_seq })}</p>}
      {sync?.error && !sync.running && (
        <p class="hint">{sync.error === "offline" ? t("error.offline") : t("outbox.error", { message: sync.error })}</p>
      )}
      {rows.length > 0 && (
        <div class="chips" role="group" aria-label={t("outboxView.filter")} data-testid="outbox-filter">
          <FilterChip value="all" current={filter} onPick={setFilter} label={t("outboxView.all", { count: rows.length })} />
          {groups
            .filter((group) => group.rows.length)
            .map((group) => (
              <FilterChip
                key={group.key}
                value={group.key}
                current={filter}
                onPick={setFilter}
                label={`${t(`outboxView.group.${group.key}`)} (${group.rows.length})`}
              />
            ))}
        </div>
      )}
      {!rows.some((row) => row.state === "queued" || row.state === "sending") && (
        <p class="empty" data-testid="outbox-empty">
          {t("outbox.empty")}
        </p>
      )}
      {shown.map((group) => (
        <section key={group.key} class="outbox-group" data-testid="outbox-group" data-group={group.key}>
          <h2>
            {t(`outboxView.group.${group.key}`)} <span class="hint">({group.rows.length})</span>
          </h2>
          <ol class="outbox">
            {group.rows.map((row) => (
              <OutboxItem key={row.entry.device_seq} row={row} />
            ))}
          </ol>
        </section>
      ))}
    </main>
  );
}

function FilterChip(props: { value: string; current: string; label: string; onPick: (value: string) => void }) {
  const active = props.value === props.current;
  return (
    <button
      type="button"
      class={`chip ${active ? "chip-on" : ""}`}
      aria-pressed={active}
      data-testid={`outbox-filter-${props.value}`}
      onClick={() => props.onPick(props.value)}
    >
      {props.label}
    </button>
  );
}

/** Commands sent and to go, photos and bytes: a week's queue drains visibly. */
export function DrainProgressView() {
  const progress = useStore(drain);
  const kept = useStore(persistence);
  const { commandsSent, commandsLeft, photosDone, photosTotal, bytesDone, bytesTotal } = progress;
  return (
    <div class="drain" data-testid="drain-progress">
      {commandsSent + commandsLeft > 0 && (
        <p data-testid="drain-commands" data-sent={String(commandsSent)} data-left={String(commandsLeft)}>
          {t("drain.commands", { sent: commandsSent, left: commandsLeft })}
        </p>
      )}
      {photosTotal > 0 && photosDone < photosTotal && (
        <p data-testid="drain-photos" data-done={String(photosDone)} data-total={String(photosTotal)}>
          {t("drain.photos", {
            done: photosDone,
            total: photosTotal,
            doneBytes: formatSize(bytesDone),
            totalBytes: formatSize(bytesTotal),
          })}
        </p>
      )}
      {kept.granted === false && kept.atStake > 0 && (
        <p class="notice" role="alert" data-testid="storage-warning" data-bytes={String(kept.atStake)}>
          {t("storage.refused", { size: formatSize(kept.atStake) })}
        </p>
      )}
    </div>
  );
}

function OutboxItem({ row }: { row: Row }) {
  const { entry, state, request } = row;
  const code = entry.context?.asset_code;
  const redo = () => {
    if (code) navigate(redoPath(code, entry.args.to_status, entry.args.reason));
  };
  return (
    <li
      class={`card outbox-item state-${state}`}
      data-testid="outbox-item"
      data-state={state}
      data-seq={String(entry.device_seq)}
      data-name={entry.name}
    >
      <div class="row">
        <strong>#{entry.device_seq}</strong>
        <span class={`pill pill-${state}`} data-testid="outbox-state">
          {t(`outbox.state.${state}`)}
        </span>
      </div>
      <p data-testid="outbox-summary">{describeCommand(entry)}</p>
      <p class="hint">{formatTime(entry.captured_at)}</p>
      {state === "refused" && (
        <p class="error" data-testid="outbox-reason">
          {entry.message ?? entry.code}
        </p>
      )}
      {(state === "rejected" || state === "expired") && request?.decision_note ? (
        <p class="error" data-testid="outbox-reason">
          {t("outboxView.reason", { reason: String(request.decision_note) })}
        </p>
      ) : null}
      {state === "refused" && (
        <div class="row actions-inline">
          <button
            type="button"
            data-testid="outbox-retry"
            onClick={() => void retryRefused(entry.device_seq).then(() => {
              showToast(t("outboxView.requeued"));
              void syncNow().catch(() => undefined);
            })}
          >
            {t("outboxView.retry")}
          </button>
          {entry.name === "status_change.request" && code && (
            <button type="button" data-testid="outbox-edit" onClick={redo}>
              {t("outboxView.edit")}
            </button>
          )}
          <button
            type="button"
            data-testid="outbox-discard"
            onClick={() => void discardRefused(entry.device_seq).then(() => showToast(t("outboxView.discarded")))}
          >
            {t("outboxView.discard")}
          </button>
        </div>
      )}
      {(state === "rejected" || state === "expired") && code && (
        <div class="row actions-inline">
          <button type="button" data-testid="outbox-redo" onClick={redo}>
            {t("reports.redo")}
          </button>
        </div>
      )}
    </li>
  );
}
