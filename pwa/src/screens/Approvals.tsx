/** The manager's list of requests waiting for a decision (the fallback where Web Push is not available). */
import { useEffect, useState } from "preact/hooks";
import { waitingForMe } from "../approvals";
import { getCached, type Cached } from "../db";
import { t } from "../i18n";
import { onOutboxChange } from "../outbox";
import { session, useStore } from "../state";
import { onSyncStatus } from "../sync";
import { formatTime } from "./AssetCard";

interface Row {
  request: Cached;
  assetCode: string;
}

export function Approvals() {
  const current = useStore(session);
  const [rows, setRows] = useState<Row[] | null>(null);

  useEffect(() => {
    const load = async () => {
      const requests = await waitingForMe(current?.user.id ?? 0);
      const withCodes = await Promise.all(
        requests.map(async (request) => {
          const asset = await getCached("cache_assets", Number(request.asset_id));
          return { request, assetCode: String(asset?.code ?? `#${String(request.asset_id)}`) };
        }),
      );
      setRows(withCodes);
    };
    void load();
    const stopOutbox = onOutboxChange(() => void load());
    const stopSync = onSyncStatus((status) => {
      if (!status.running) void load();
    });
    return () => {
      stopOutbox();
      stopSync();
    };
  }, [current?.user.id]);

  if (rows === null) return <main class="screen">{t("app.loading")}</main>;
  return (
    <main class="screen">
      <h1>{t("approvals.title")}</h1>
      {!rows.length && <p class="empty">{t("approvals.empty")}</p>}
      <ul class="list">
        {rows.map(({ request, assetCode }) => (
          <li key={request.id}>
            <a class="card approval" href={`/approvals/${request.id}`} data-testid="approval-item" data-request-id={String(request.id)}>
              <strong>
                {t("approvals.item", {
                  code: assetCode,
                  from: t(`status.${String(request.from_status)}`),
                  to: t(`status.${String(request.to_status)}`),
                })}
              </strong>
              <span class="hidden-text"> ({String(request.to_status)})</span>
              <span class="hint">{String(request.reason ?? "")}</span>
              {request.applicant_name ? (
                <span class="hint" data-testid="approval-reporter">
                  {t("screens.evidence.reporter", { name: String(request.applicant_name) })}
                </span>
              ) : null}
              {Array.isArray(request.plausibility_flags) && request.plausibility_flags.length ? (
                <span class="flag" data-testid="approval-flags">
                  {t("screens.evidence.flagCount", { count: request.plausibility_flags.length })}
                </span>
              ) : null}
              <span class="hint">{t("approvals.submitted", { time: formatTime(request.submitted_at) })}</span>
            </a>
          </li>
        ))}
      </ul>
    </main>
  );
}
