/**
 * One lease: terms, charge-line versions, concessions, the schedule with totals, amendments, its reminders and
 * critical dates (and why a reminder did not go out), its health per quarter with the renewal advice, its audit
 * trail.
 */
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { LeaseHealth } from "../components/LeaseHealth";
import { LeaseReminders } from "../components/LeaseReminders";
import { NameOf } from "../components/Names";
import { type Schedule, ScheduleTable, chargeName } from "../components/Schedule";
import { day, instant, money } from "../format";
import { useResource } from "../hooks";
import { can } from "../session";
import { type Lease, monthlyTotal } from "./Leases";

interface FullLease extends Lease {
  frequency: string;
  timing: string;
  deposit_amount: string | null;
  notice_period_days: number | null;
  purpose: string | null;
  note: string | null;
  version: number;
  signed_at: string | null;
  auto_renew: boolean;
  concessions: { charge_type: string; starts_on: string; ends_on: string; percent: string; note: string | null }[];
}

interface ChargeLine {
  id: number;
  series: number;
  version: number;
  charge_type: string;
  monthly_amount: string;
  starts_on: string | null;
  ends_on: string | null;
  frequency: string | null;
  escalation: { kind: string; every_months: number; value: string | null } | null;
  replaced_by_amendment_id: number | null;
}

interface Amendment {
  id: number;
  kinds: string[];
  status: string;
  approval_id: number | null;
  effective_on: string;
  reason: string;
  created_at: string;
  requested_by_id: number | null;
}

interface AuditEntry {
  id: number;
  occurred_at: string;
  actor_name: string;
  action: string;
  origin: string;
}

export function LeaseDetail({ params }: { params: Record<string, string> }) {
  const lease = useResource<FullLease>(`/api/leases/${params.id}`);
  const draft = lease.data?.status === "draft";
  const schedule = useResource<Schedule>(lease.data ? `/api/leases/${params.id}/schedule${draft ? "/preview" : ""}` : null);
  const lines = useResource<ChargeLine[]>(lease.data ? `/api/leases/${params.id}/charge-lines` : null);
  const amendments = useResource<Amendment[]>(lease.data ? `/api/leases/${params.id}/amendments?page_size=100` : null);
  const audit = useResource<AuditEntry[]>(
    lease.data && can("audit:read") ? `/api/audit?entity_type=lease&entity_id=${params.id}&sort=-occurred_at&page_size=50` : null,
  );
  const [acting, setActing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  if (lease.error) return <ErrorPanel error={lease.error} />;
  if (!lease.data) return <p class="loading">{t("app.loading")}</p>;
  const value = lease.data;

  const act = async (action: "sign" | "activate") => {
    setActing(action);
    setActionError(null);
    try {
      await api(`/api/leases/${value.id}/${action}`, { method: "POST" });
      lease.reload();
      schedule.reload();
      audit.reload();
    } catch (error) {
      setActionError(errorText(error));
    } finally {
      setActing(null);
    }
  };

  return (
    <section class="page" data-testid="lease-detail">
      <div class="page-head">
        <h1>
          {t("office.nav.lease")} {value.number}{" "}
          <span class={`chip chip-${value.status}`} data-testid="lease-status">
            {t(`office.leaseStatus.${value.status}`)}
          </span>
        </h1>
        <div class="actions">
          {draft && can("lease:write") ? (
            <button type="button" class="primary" data-testid="sign" disabled={Boolean(acting)} onClick={() => void act("sign")}>
              {t("office.lease.sign")}
            </button>
          ) : null}
          {value.status === "signed" && can("lease:write") ? (
            <button type="button" data-testid="activate" disabled={Boolean(acting)} onClick={() => void act("activate")}>
              {t("office.lease.activate")}
            </button>
          ) : null}
          {["signed", "active", "expiring"].includes(value.status) && can("lease:write") ? (
            <a class="button-like" href={`/office/leases/${value.id}/amend`} data-testid="amend">
              {t("office.nav.amend")}
            </a>
          ) : null}
        </div>
      </div>
      {actionError ? (
        <div class="panel panel-error" role="alert" data-testid="action-error">
          {actionError}
        </div>
      ) : null}
      <div class="columns">
        <div class="panel">
          <h2>{t("office.lease.terms")}</h2>
          <dl class="facts">
            <dt>{t("office.lease.customer")}</dt>
            <dd>
              <NameOf kind="customers" id={value.customer_id} />
            </dd>
            <dt>{t("office.lease.project")}</dt>
            <dd>
              <NameOf kind="projects" id={value.project_id} />
            </dd>
            <dt>{t("office.lease.template")}</dt>
            <dd>
              <NameOf kind="contract-templates" id={value.template_id} />
            </dd>
            <dt>{t("office.lease.term")}</dt>
            <dd>
              {day(value.starts_on)} – {day(value.ends_on)}
            </dd>
            <dt>{t("office.lease.frequency")}</dt>
            <dd>{t(`office.frequency.${value.frequency}`)}</dd>
            <dt>{t("office.lease.timing")}</dt>
            <dd>{t(`office.timing.${value.timing}`)}</dd>
            <dt>{t("office.lease.monthly")}</dt>
            <dd>{money(monthlyTotal(value))}</dd>
            <dt>{t("office.lease.deposit")}</dt>
            <dd>{money(value.deposit_amount)}</dd>
            <dt>{t("office.lease.notice")}</dt>
            <dd>{value.notice_period_days ?? "—"}</dd>
            <dt>{t("office.lease.accountManager")}</dt>
            <dd>
              <NameOf kind="users" id={value.account_manager_id} />
            </dd>
            <dt>{t("office.lease.purpose")}</dt>
            <dd>{value.purpose ?? "—"}</dd>
            <dt>{t("office.lease.tags")}</dt>
            <dd>{value.tags.join(", ") || "—"}</dd>
            <dt>{t("office.lease.signedAt")}</dt>
            <dd>{instant(value.signed_at)}</dd>
          </dl>
        </div>
        <div class="panel">
          <h2>{t("office.lease.chargeLines")}</h2>
          {lines.error ? <ErrorPanel error={lines.error} /> : null}
          <table data-testid="charge-lines">
            <thead>
              <tr>
                <th scope="col">{t("office.schedule.charge")}</th>
                <th scope="col">{t("office.lease.version")}</th>
                <th scope="col" class="num">
                  {t("office.lease.monthlyAmount")}
                </th>
                <th scope="col">{t("office.lease.from")}</th>
                <th scope="col">{t("office.lease.to")}</th>
                <th scope="col">{t("office.lease.escalation")}</th>
              </tr>
            </thead>
            <tbody>
              {(lines.data ?? []).map((line) => (
                <tr key={line.id} class={line.replaced_by_amendment_id ? "superseded" : undefined}>
                  <td>{chargeName(line.charge_type)}</td>
                  <td>v{line.version}</td>
                  <td class="num">{money(line.monthly_amount)}</td>
                  <td>{day(line.starts_on ?? value.starts_on)}</td>
                  <td>{day(line.ends_on ?? value.ends_on)}</td>
                  <td>
                    {line.escalation
                      ? t(`office.escalation.${line.escalation.kind}`, {
                          value: line.escalation.value === null ? "" : String(Number(line.escalation.value)),
                          months: line.escalation.every_months,
                        })
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t("office.lease.concessions")}</h2>
          {value.concessions.length ? (
            <ul data-testid="concessions">
              {value.concessions.map((item, index) => (
                <li key={index}>
                  {chargeName(item.charge_type)} {day(item.starts_on)} – {day(item.ends_on)} · {item.percent}%{item.note ? ` · ${item.note}` : ""}
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">{t("office.lease.noConcessions")}</p>
          )}
        </div>
      </div>
      <div class="panel">
        <h2>{draft ? t("office.schedule.preview") : t("office.schedule.title")}</h2>
        {schedule.error ? <ErrorPanel error={schedule.error} /> : null}
        {schedule.data ? <ScheduleTable schedule={schedule.data} testId="schedule" /> : <p class="loading">{t("app.loading")}</p>}
      </div>
      <div class="panel">
        <h2>{t("office.lease.amendments")}</h2>
        {amendments.error ? <ErrorPanel error={amendments.error} /> : null}
        {amendments.data?.length ? (
          <table data-testid="amendments">
            <thead>
              <tr>
                <th scope="col">{t("office.amend.effectiveOn")}</th>
                <th scope="col">{t("office.amend.kinds")}</th>
                <th scope="col">{t("office.amend.reason")}</th>
                <th scope="col">{t("office.lease.status")}</th>
                <th scope="col">{t("office.amend.requestedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {amendments.data.map((item) => (
                <tr key={item.id}>
                  <td>{day(item.effective_on)}</td>
                  <td>{item.kinds.map((kind) => t(`office.amendKind.${kind}`)).join(", ")}</td>
                  <td>{item.reason}</td>
                  <td>
                    {item.approval_id ? (
                      <a href={`/office/approvals/${item.approval_id}`}>{t(`office.amendStatus.${item.status}`)}</a>
                    ) : (
                      t(`office.amendStatus.${item.status}`)
                    )}
                  </td>
                  <td>
                    <NameOf kind="users" id={item.requested_by_id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="hint">{t("office.lease.noAmendments")}</p>
        )}
      </div>
      <LeaseReminders leaseId={value.id} />
      {can("collections:read") && !draft ? <LeaseHealth leaseId={value.id} /> : null}
      {can("audit:read") ? (
        <div class="panel">
          <h2>{t("office.lease.audit")}</h2>
          {audit.error ? <ErrorPanel error={audit.error} /> : null}
          <ul class="timeline" data-testid="lease-audit">
            {(audit.data ?? []).map((entry) => (
              <li key={entry.id}>
                {instant(entry.occurred_at)} · {entry.actor_name} · {t(`office.auditAction.${entry.action}`)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
