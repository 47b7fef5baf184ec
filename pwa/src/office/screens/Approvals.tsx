/** Approvals: what waits for a second person, and one approval with its evidence and the decision. */
import type { ColumnDef } from "@tanstack/react-table";
import { useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { useStore } from "../../store";
import { DataGrid } from "../components/DataGrid";
import { type Effect, EffectTable } from "../components/Effect";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { NameOf } from "../components/Names";
import { instant } from "../format";
import { useResource } from "../hooks";
import { session } from "../session";
import { useQueryState } from "../urlstate";

interface Approval {
  id: number;
  kind: string;
  subject_type: string;
  subject_id: number;
  summary: string;
  project_id: number;
  status: string;
  requested_by_id: number | null;
  requested_at: string;
  reason: string | null;
  details: Record<string, unknown> | null;
  expires_at: string | null;
  decided_by_id: number | null;
  decided_at: string | null;
  decision_note: string | null;
}

/** What an approval is about, in the user's language where the details allow it. */
function subject(approval: Approval): string {
  const details = approval.details ?? {};
  if (details.lease_number && Array.isArray(details.kinds)) {
    return `${String(details.lease_number)} · ${(details.kinds as string[]).map((kind) => t(`office.amendKind.${kind}`)).join(", ")}`;
  }
  return approval.summary;
}

const STATUSES = ["pending", "approved", "rejected", "cancelled", "expired"];
/** Who may decide each kind (the server checks again, and refuses the requester). */
const DECIDE: Record<string, string> = {
  lease_amendment: "lease:approve",
  status_change: "field:confirm",
  field_settings: "field_settings:approve",
};

export function Approvals() {
  const [filters, setFilters] = useQueryState(["status", "kind"]);
  const status = filters.status || "pending";
  const columns: ColumnDef<Approval, unknown>[] = [
    {
      id: "requested_at",
      header: () => t("office.approval.requestedAt"),
      cell: ({ row }) => <a href={`/office/approvals/${row.original.id}`} data-testid="approval-link">{instant(row.original.requested_at)}</a>,
    },
    { id: "kind", header: () => t("office.approval.kind"), cell: ({ row }) => t(`office.approvalKind.${row.original.kind}`) },
    { id: "summary", header: () => t("office.approval.summary"), cell: ({ row }) => subject(row.original) },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => <NameOf kind="projects" id={row.original.project_id} /> },
    { id: "requester", header: () => t("office.approval.requestedBy"), cell: ({ row }) => <NameOf kind="users" id={row.original.requested_by_id} /> },
    { id: "status", header: () => t("office.lease.status"), cell: ({ row }) => t(`office.approvalStatus.${row.original.status}`) },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.approvals")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.status")}
          <select data-testid="approval-status" value={status} onChange={(e) => setFilters({ status: (e.target as HTMLSelectElement).value })}>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(`office.approvalStatus.${value}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("office.approval.kind")}
          <select value={filters.kind} onChange={(e) => setFilters({ kind: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("office.filter.all")}</option>
            {Object.keys(DECIDE).map((kind) => (
              <option key={kind} value={kind}>
                {t(`office.approvalKind.${kind}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <DataGrid<Approval>
        endpoint="/api/approvals"
        params={{ status: [status], kind: filters.kind }}
        columns={columns}
        sortable={["requested_at", "status"]}
        initialSort={[{ id: "requested_at", desc: true }]}
        testId="approvals"
        caption={t("office.nav.approvals")}
      />
    </section>
  );
}

export function ApprovalDetail({ params }: { params: Record<string, string> }) {
  const me = useStore(session)!;
  const approval = useResource<Approval>(`/api/approvals/${params.id}`);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (approval.error) return <ErrorPanel error={approval.error} />;
  if (!approval.data) return <p class="loading">{t("app.loading")}</p>;
  const value = approval.data;
  const mayDecide =
    value.status === "pending" && me.permissions.includes(DECIDE[value.kind] ?? "-") && value.requested_by_id !== me.user.id;
  const mayCancel = value.status === "pending" && value.requested_by_id === me.user.id;

  const decide = async (decision: "approve" | "reject" | "cancel") => {
    if (decision === "reject" && !note.trim()) {
      setProblem(t("office.approval.reasonRequired"));
      return;
    }
    setBusy(true);
    try {
      await api(`/api/approvals/${value.id}/${decision}`, { method: "POST", json: { note: note.trim() || null } });
      setProblem(null);
      approval.reload();
    } catch (error) {
      setProblem(error instanceof ApiError && error.fields.note ? error.fields.note.join(" ") : errorText(error));
    } finally {
      setBusy(false);
    }
  };
  const effect = (value.details?.effect ?? null) as Effect | null;
  const changes = (value.details?.changes ?? null) as Record<string, { before: unknown; after: unknown }> | null;
  return (
    <section class="page" data-testid="approval-detail">
      <h1>
        {t(`office.approvalKind.${value.kind}`)}{" "}
        <span class={`chip chip-${value.status}`} data-testid="approval-state">
          {t(`office.approvalStatus.${value.status}`)}
        </span>
      </h1>
      <div class="panel">
        <dl class="facts">
          <dt>{t("office.approval.summary")}</dt>
          <dd data-testid="approval-subject">
            {value.details?.lease_id ? (
              <a href={`/office/leases/${String(value.details.lease_id)}`}>{subject(value)}</a>
            ) : (
              value.summary
            )}
          </dd>
          <dt>{t("office.approval.requestedBy")}</dt>
          <dd>
            <NameOf kind="users" id={value.requested_by_id} /> · {instant(value.requested_at)}
          </dd>
          <dt>{t("office.amend.reason")}</dt>
          <dd data-testid="approval-reason">{value.reason ?? "—"}</dd>
          <dt>{t("office.approval.expires")}</dt>
          <dd>{instant(value.expires_at)}</dd>
          {value.decided_at ? (
            <>
              <dt>{t("office.approval.decidedBy")}</dt>
              <dd>
                <NameOf kind="users" id={value.decided_by_id} /> · {instant(value.decided_at)}
              </dd>
              <dt>{t("office.approval.note")}</dt>
              <dd data-testid="decision-note">{value.decision_note ?? "—"}</dd>
            </>
          ) : null}
        </dl>
      </div>
      {effect ? (
        <div class="panel">
          <h2>{t("office.effect.title")}</h2>
          <EffectTable effect={effect} testId="approval-effect" />
        </div>
      ) : null}
      {changes ? (
        <div class="panel">
          <h2>{t("office.approval.changes")}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("office.approval.setting")}</th>
                <th scope="col">{t("office.effect.before")}</th>
                <th scope="col">{t("office.effect.after")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(changes).map(([name, change]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{JSON.stringify(change.before)}</td>
                  <td>{JSON.stringify(change.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {mayDecide || mayCancel ? (
        <div class="panel">
          <div class="field">
            <label for="decision-note">{t("office.approval.note")}</label>
            <textarea id="decision-note" data-testid="decision-note-input" rows={3} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
            <span class="hint">{t("office.approval.noteHint")}</span>
          </div>
          {problem ? (
            <p class="error" role="alert" data-testid="decision-error">
              {problem}
            </p>
          ) : null}
          <div class="actions">
            {mayDecide ? (
              <>
                <button type="button" class="primary" data-testid="approve" disabled={busy} onClick={() => void decide("approve")}>
                  {t("office.approval.approve")}
                </button>
                <button type="button" class="danger" data-testid="reject" disabled={busy} onClick={() => void decide("reject")}>
                  {t("office.approval.reject")}
                </button>
              </>
            ) : null}
            {mayCancel ? (
              <button type="button" data-testid="cancel-approval" disabled={busy} onClick={() => void decide("cancel")}>
                {t("office.approval.cancel")}
              </button>
            ) : null}
          </div>
        </div>
      ) : value.status === "pending" ? (
        <p class="hint" data-testid="not-yours">
          {value.requested_by_id === me.user.id ? t("office.approval.ownRequest") : t("office.approval.notYours")}
        </p>
      ) : null}
    </section>
  );
}
