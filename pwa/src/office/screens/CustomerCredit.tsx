/**
 * A customer's credit page: the profile from their own history (score, the chance the next bill is late,
 * the figures it rests on, the reasons and how far each moves the chance), where they stand in each
 * project, and their dunning history: notices, promises kept or broken, grace periods, disputes, cases.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { t } from "../../i18n";
import { type Case, type CreditProfile, type Dispute, type Grace, type Notice, type PaymentPromise, type Standing, effectText, named, percent, totalsText } from "../collections";
import { NoticeMessage, TierChip } from "../components/CollectionParts";
import { DataGrid, query } from "../components/DataGrid";
import { ErrorPanel } from "../components/ErrorPanel";
import { NameOf } from "../components/Names";
import { day, money } from "../format";
import { useName, useResource } from "../hooks";

export function CustomerCredit({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const name = useName("customers", id);
  const profile = useResource<CreditProfile>(`/api/collections/customers/${id}/credit`);
  const standings = useResource<Standing[]>(`/api/collections/standings${query({ customer_id: id, page_size: 100 })}`);
  if (profile.error) return <ErrorPanel error={profile.error} />;
  return (
    <section class="page" data-testid="credit-page">
      <div class="page-head">
        <h1>{t("office.collections.credit.title", { name })}</h1>
        <a href="/office/collections">{t("office.collections.backToWorkbench")}</a>
      </div>
      {profile.data ? <Profile profile={profile.data} /> : <p class="loading">{t("app.loading")}</p>}
      <div class="panel">
        <h2>{t("office.collections.credit.standings")}</h2>
        {standings.error ? <ErrorPanel error={standings.error} /> : null}
        <table data-testid="credit-standings">
          <caption class="sr-only">{t("office.collections.credit.standings")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("office.lease.project")}</th>
              <th scope="col">{t("office.collections.tierTitle")}</th>
              <th scope="col" class="num">
                {t("office.collections.oldestDays")}
              </th>
              <th scope="col" class="num">
                {t("office.collections.overdue")}
              </th>
              <th scope="col">{t("office.collections.lastAction")}</th>
            </tr>
          </thead>
          <tbody>
            {(standings.data ?? []).map((row) => (
              <tr key={row.id}>
                <td>
                  <a href={`/office/collections?project=${row.project_id}&customer=${row.customer_id}&in=${row.project_id}`}>
                    <NameOf kind="projects" id={row.project_id} />
                  </a>
                </td>
                <td>
                  <TierChip tier={row.tier} name={row.tier_name} />
                </td>
                <td class="num">{row.oldest_days}</td>
                <td class="num nowrap">{totalsText(row.overdue)}</td>
                <td>
                  {named("action", row.last_action)} · {day(row.last_run_on)}
                </td>
              </tr>
            ))}
            {standings.data && !standings.data.length ? (
              <tr>
                <td colSpan={5} class="empty">
                  {t("office.collections.noStandings")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <History customerId={id} />
    </section>
  );
}

function Profile({ profile }: { profile: CreditProfile }) {
  const features = profile.features;
  const risk = profile.probability_late >= 0.5 ? "bad" : profile.probability_late >= 0.25 ? "" : "good";
  return (
    <>
      <div class="tiles kpi-tiles">
        <div class="tile kpi-tile" data-testid="credit-score">
          <span class="tile-title">{t("office.collections.credit.score")}</span>
          <span class="tile-count" data-value={profile.score}>
            {profile.score}
            <span class="hint"> / 100</span>
          </span>
          <span class="hint">{t("office.collections.credit.scoreHint")}</span>
        </div>
        <div class="tile kpi-tile" data-testid="credit-probability">
          <span class="tile-title">{t("office.collections.credit.probability")}</span>
          <span class={`tile-count kpi-change ${risk}`} data-value={profile.probability_late}>
            {percent(profile.probability_late)}
          </span>
          <span class="hint">{t("office.collections.credit.asOf", { day: day(profile.as_of) })}</span>
        </div>
      </div>
      <div class="columns">
        <div class="panel">
          <h2>{t("office.collections.credit.features")}</h2>
          <dl class="facts" data-testid="credit-features">
            <dt>{t("office.collections.credit.bills")}</dt>
            <dd>{features.bills}</dd>
            <dt>{t("office.collections.credit.lateBills")}</dt>
            <dd>{features.late_bills}</dd>
            <dt>{t("office.collections.credit.onTimeRate")}</dt>
            <dd>{percent(features.on_time_rate)}</dd>
            <dt>{t("office.collections.credit.averageDaysLate")}</dt>
            <dd>{features.average_days_late === null ? "—" : t("office.collections.credit.daysN", { days: features.average_days_late.toFixed(1) })}</dd>
            <dt>{t("office.collections.credit.openOverdue")}</dt>
            <dd>{totalsText(features.open_overdue)}</dd>
            <dt>{t("office.collections.credit.brokenPromises")}</dt>
            <dd>{features.broken_promises}</dd>
            <dt>{t("office.collections.credit.disputes")}</dt>
            <dd>{features.disputes}</dd>
            <dt>{t("office.collections.credit.responseDays")}</dt>
            <dd>{features.average_response_days === null ? "—" : t("office.collections.credit.daysN", { days: features.average_response_days.toFixed(1) })}</dd>
          </dl>
        </div>
        <div class="panel">
          <h2>{t("office.collections.credit.reasons")}</h2>
          <table data-testid="credit-reasons">
            <caption class="sr-only">{t("office.collections.credit.reasons")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.collections.credit.reason")}</th>
                <th scope="col" class="num">
                  {t("office.collections.credit.effect")}
                </th>
              </tr>
            </thead>
            <tbody>
              {profile.reasons.map((reason) => (
                <tr key={reason.code} data-testid={`credit-reason-${reason.code}`}>
                  <td>{reason.message}</td>
                  <td class={`num nowrap kpi-change ${reason.effect > 0 ? "bad" : reason.effect < 0 ? "good" : ""}`}>
                    {effectText(reason.effect)}
                    <span class="sr-only"> {reason.effect > 0 ? t("office.collections.credit.raises") : t("office.collections.credit.lowers")}</span>
                  </td>
                </tr>
              ))}
              {!profile.reasons.length ? (
                <tr>
                  <td colSpan={2} class="empty">
                    {t("office.collections.credit.noReasons")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function History({ customerId }: { customerId: number }) {
  const params = { customer_id: customerId };
  const notices: ColumnDef<Notice, unknown>[] = [
    { id: "run_on", header: () => t("office.collections.runOn"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.run_on) },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => <NameOf kind="projects" id={row.original.project_id} /> },
    { id: "action", header: () => t("office.collections.decision"), cell: ({ row }) => `${named("action", row.original.action)} (${named("reason", row.original.reason)})` },
    { id: "tier", header: () => t("office.collections.tierTitle"), cell: ({ row }) => <TierChip tier={row.original.tier} /> },
    { id: "totals", header: () => t("office.collections.overdue"), meta: { className: "num nowrap" }, cell: ({ row }) => totalsText(row.original.totals) },
    {
      id: "message",
      header: () => t("office.collections.message"),
      cell: ({ row }) =>
        row.original.subject ? (
          <details>
            <summary>{row.original.subject}</summary>
            <NoticeMessage notice={row.original} />
          </details>
        ) : (
          "—"
        ),
    },
  ];
  const promises: ColumnDef<PaymentPromise, unknown>[] = [
    { id: "promised_on", header: () => t("office.collections.promise.on"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.promised_on) },
    { id: "amount", header: () => t("office.collections.case.amount"), meta: { className: "num nowrap" }, cell: ({ row }) => money(row.original.amount, row.original.currency) },
    { id: "paid", header: () => t("office.collections.promise.paid"), meta: { className: "num nowrap" }, cell: ({ row }) => money(row.original.paid, row.original.currency) },
    { id: "made_on", header: () => t("office.collections.promise.madeOn"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.made_on) },
    {
      id: "state",
      header: () => t("office.lease.status"),
      cell: ({ row }) => (
        <span class={`chip chip-promise-${row.original.state}`} data-testid="promise-state">
          {named("promiseState", row.original.state)}
          {row.original.settled_on ? ` · ${day(row.original.settled_on)}` : ""}
        </span>
      ),
    },
  ];
  const graces: ColumnDef<Grace, unknown>[] = [
    { id: "requested_at", header: () => t("office.collections.grace.requested"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.requested_at.slice(0, 10)) },
    { id: "days", header: () => t("office.collections.grace.days"), meta: { className: "num" }, cell: ({ row }) => row.original.days },
    { id: "reason", header: () => t("office.collections.grace.reason"), cell: ({ row }) => row.original.reason },
    {
      id: "state",
      header: () => t("office.lease.status"),
      cell: ({ row }) => (
        <span class={`chip chip-${row.original.state === "requested" ? "pending" : row.original.state}`}>
          {named("graceState", row.original.state)}
          {row.original.starts_on ? ` · ${day(row.original.starts_on)} – ${day(row.original.ends_on)}` : ""}
        </span>
      ),
    },
  ];
  const disputes: ColumnDef<Dispute, unknown>[] = [
    { id: "opened_on", header: () => t("office.collections.dispute.openedOn"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.opened_on) },
    { id: "bills", header: () => t("office.collections.dispute.bills"), meta: { className: "num" }, cell: ({ row }) => row.original.charge_ids.length },
    { id: "reason", header: () => t("office.collections.dispute.reason"), cell: ({ row }) => row.original.reason },
    {
      id: "state",
      header: () => t("office.lease.status"),
      cell: ({ row }) => `${named("disputeState", row.original.state)}${row.original.resolution ? ` · ${row.original.resolution}` : ""}`,
    },
  ];
  const cases: ColumnDef<Case, unknown>[] = [
    { id: "opened_on", header: () => t("office.collections.case.openedOn"), meta: { className: "nowrap" }, cell: ({ row }) => <a href={`/office/collections/cases/${row.original.id}`}>{day(row.original.opened_on)}</a> },
    { id: "amount", header: () => t("office.collections.case.amount"), meta: { className: "num nowrap" }, cell: ({ row }) => money(row.original.amount, row.original.currency) },
    { id: "state", header: () => t("office.lease.status"), cell: ({ row }) => `${named("caseState", row.original.state)}${row.original.outcome ? ` · ${named("outcome", row.original.outcome)}` : ""}` },
  ];
  return (
    <>
      <h2>{t("office.collections.credit.notices")}</h2>
      <DataGrid<Notice> endpoint="/api/collections/notices" params={params} columns={notices} sortable={["run_on"]} pageSize={25} testId="credit-notices" caption={t("office.collections.credit.notices")} />
      <h2>{t("office.collections.credit.promises")}</h2>
      <DataGrid<PaymentPromise> endpoint="/api/collections/promises" params={params} columns={promises} testId="credit-promises" caption={t("office.collections.credit.promises")} />
      <h2>{t("office.collections.credit.graces")}</h2>
      <DataGrid<Grace> endpoint="/api/collections/grace-periods" params={params} columns={graces} testId="credit-graces" caption={t("office.collections.credit.graces")} />
      <h2>{t("office.collections.credit.disputes")}</h2>
      <DataGrid<Dispute> endpoint="/api/collections/disputes" params={params} columns={disputes} testId="credit-disputes" caption={t("office.collections.credit.disputes")} />
      <h2>{t("office.collections.credit.cases")}</h2>
      <DataGrid<Case> endpoint="/api/collections/cases" params={params} columns={cases} testId="credit-cases" caption={t("office.collections.credit.cases")} />
    </>
  );
}
