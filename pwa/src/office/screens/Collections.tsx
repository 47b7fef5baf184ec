/**
 * The collections workbench: customers by tier in my projects (filtered by project and tier), what happens
 * next to each, the latest message as it was sent, and what a collector does about a customer (run the
 * project's dunning now, a promise, a grace period, a dispute, the case); the open cases, the key accounts'
 * tasks and the project's dunning policy on their own tabs. Deep links: `?project=`, `?task=`, `?customer=`.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { type Case, type Grace, type Notice, type PaymentPromise, type Policy, type Standing, TIERS, activePause, named, nextStep, totalsText } from "../collections";
import { DisputeDialog, GraceDialog, PromiseDialog, RunDunning, SendNow } from "../components/CollectionActions";
import { Choose } from "../components/Choose";
import { DataGrid, query } from "../components/DataGrid";
import { DunningPolicy } from "../components/DunningPolicy";
import { NoticeMessage, TierChip } from "../components/CollectionParts";
import { ErrorPanel } from "../components/ErrorPanel";
import { NameOf } from "../components/Names";
import { useOptions } from "../components/Options";
import { day, today } from "../format";
import { useResource } from "../hooks";
import { can } from "../session";
import { useQueryState } from "../urlstate";
import { CaseList, TaskList } from "./CollectionCases";

const TABS = ["customers", "cases", "tasks", "policy"] as const;
type Tab = (typeof TABS)[number];

export function Workbench() {
  const [state, setState] = useQueryState(["tab", "project", "tier", "customer", "in", "task"]);
  const projects = useOptions("/api/projects");
  const tab: Tab = state.task ? "tasks" : (TABS as readonly string[]).includes(state.tab) ? (state.tab as Tab) : "customers";
  const show = (next: Tab) => setState({ tab: next === "customers" ? "" : next, task: "" });
  return (
    <section class="page" data-testid="collections-page">
      <h1>{t("office.nav.collections")}</h1>
      <p class="hint">{t("office.collections.hint")}</p>
      <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.project")}
          <Choose testId="collections-project" value={state.project} options={projects} empty={t("office.filter.all")} onChange={(value) => setState({ project: value, customer: "", in: "" })} />
        </label>
      </form>
      <div class="tabs" role="tablist" aria-label={t("office.nav.collections")}>
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" id={`tab-${name}`} aria-controls={`panel-${name}`} aria-selected={tab === name} data-testid={`tab-${name}`} onClick={() => show(name)}>
            {t(`office.collections.tab.${name}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "customers" ? <Customers state={state} setState={setState} /> : null}
        {tab === "cases" ? <CaseList projectId={state.project} /> : null}
        {tab === "tasks" ? <TaskList projectId={state.project} taskId={state.task} /> : null}
        {tab === "policy" ? state.project ? <DunningPolicy key={state.project} projectId={state.project} /> : <p class="empty-state">{t("office.collections.policy.chooseProject")}</p> : null}
      </div>
    </section>
  );
}

/** What the next step needs per project: each customer tier's repeat days, the open promises and graces. */
interface ProjectContext {
  repeat: Record<string, number>;
  promises: PaymentPromise[];
  graces: Grace[];
}

function useProjectContexts(): [Map<number, ProjectContext>, (projectIds: number[]) => void] {
  const [contexts, setContexts] = useState(new Map<number, ProjectContext>());
  const load = (projectIds: number[]) => {
    for (const id of new Set(projectIds)) {
      Promise.all([
        api<Policy[]>(`/api/collections/policies/${id}`),
        api<PaymentPromise[]>(`/api/collections/promises${query({ project_id: id, state: "open", page_size: 100 })}`),
        api<Grace[]>(`/api/collections/grace-periods${query({ project_id: id, state: "approved", page_size: 100 })}`),
      ])
        .then(([policies, promises, graces]) => {
          const repeat = Object.fromEntries(policies.map((policy) => [policy.customer_tier, policy.repeat_days]));
          setContexts((current) => new Map(current).set(id, { repeat, promises, graces }));
        })
        .catch(() => undefined);
    }
  };
  return [contexts, load];
}

function NextStepText({ standing, context }: { standing: Standing; context: ProjectContext | undefined }) {
  const pause = context
    ? activePause(
        context.promises.filter((p) => p.customer_id === standing.customer_id),
        context.graces.filter((g) => g.customer_id === standing.customer_id),
        today(),
      )
    : null;
  const step = nextStep(standing, context?.repeat[standing.customer_tier] ?? null, pause, day);
  return (
    <span class={`next next-${step.code}`} data-testid="next-step" data-code={step.code}>
      {step.text}
    </span>
  );
}

function Customers({ state, setState }: { state: Record<string, string>; setState: (changes: Record<string, string>) => void }) {
  const tiers = state.tier ? state.tier.split(",").filter(Boolean) : [];
  const [reloadKey, setReloadKey] = useState(0);
  const [contexts, loadContexts] = useProjectContexts();
  const reload = () => setReloadKey((value) => value + 1);
  const toggleTier = (tier: string) => {
    const next = tiers.includes(tier) ? tiers.filter((item) => item !== tier) : [...tiers, tier];
    setState({ tier: next.join(",") });
  };
  const selected = state.customer ? { customerId: Number(state.customer), projectId: Number(state.in || state.project) } : null;
  const columns: ColumnDef<Standing, unknown>[] = [
    {
      id: "customer",
      header: () => t("office.lease.customer"),
      cell: ({ row }) => {
        const value = row.original;
        const chosen = selected?.customerId === value.customer_id && selected.projectId === value.project_id;
        return (
          <>
            <button type="button" class="link" aria-pressed={chosen} data-testid="standing-customer" onClick={() => setState({ customer: String(value.customer_id), in: String(value.project_id) })}>
              {value.customer_name}
            </button>
            {value.customer_tier === "key_account" ? (
              <>
                {" "}
                <span class="chip chip-key">{named("customerTier", value.customer_tier)}</span>
              </>
            ) : null}
          </>
        );
      },
    },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => <NameOf kind="projects" id={row.original.project_id} /> },
    { id: "tier", header: () => t("office.collections.tierTitle"), cell: ({ row }) => <TierChip tier={row.original.tier} name={row.original.tier_name} /> },
    { id: "oldest_days", header: () => t("office.collections.oldestDays"), meta: { className: "num" }, cell: ({ row }) => <span data-testid="oldest-days">{row.original.oldest_days}</span> },
    { id: "overdue", header: () => t("office.collections.overdue"), meta: { className: "num nowrap" }, cell: ({ row }) => <span data-testid="overdue">{totalsText(row.original.overdue)}</span> },
    {
      id: "last_run_on",
      header: () => t("office.collections.lastAction"),
      cell: ({ row }) => (
        <span data-testid="last-action">
          {named("action", row.original.last_action)} · {day(row.original.last_run_on)}
          {row.original.last_reason ? <span class="hint"> ({named("reason", row.original.last_reason)})</span> : null}
        </span>
      ),
    },
    { id: "next", header: () => t("office.collections.nextStep"), cell: ({ row }) => <NextStepText standing={row.original} context={contexts.get(row.original.project_id)} /> },
  ];
  return (
    <>
      {can("collections:write") ? <RunDunning projectId={state.project} onDone={reload} /> : null}
      <div class="tier-filter" role="group" aria-label={t("office.collections.tierTitle")}>
        <span class="hint">{t("office.collections.tierTitle")}</span>
        {TIERS.map((tier) => (
          <button key={tier} type="button" class={`chip chip-tier-${tier} chip-toggle`} aria-pressed={tiers.includes(tier)} data-testid={`tier-filter-${tier}`} onClick={() => toggleTier(tier)}>
            {named("tier", tier)}
          </button>
        ))}
      </div>
      <DataGrid<Standing>
        endpoint="/api/collections/standings"
        params={{ project_id: state.project, tier: tiers }}
        columns={columns}
        sortable={["tier", "oldest_days", "last_run_on"]}
        testId="standings"
        caption={t("office.collections.tab.customers")}
        empty={t("office.collections.noStandings")}
        reloadKey={reloadKey}
        onPage={(rows) => loadContexts(rows.map((row) => row.project_id))}
      />
      {selected ? <CustomerPanel key={`${selected.projectId}-${selected.customerId}`} round={reloadKey} projectId={selected.projectId} customerId={selected.customerId} onChanged={reload} onClose={() => setState({ customer: "", in: "" })} /> : null}
    </>
  );
}

type Acting = "promise" | "grace" | "dispute" | null;

/** One customer in one project: where they stand, the latest message as sent, and what to do about them. */
function CustomerPanel({ projectId, customerId, round, onChanged, onClose }: { projectId: number; customerId: number; round: number; onChanged: () => void; onClose: () => void }) {
  const scope = { project_id: projectId, customer_id: customerId };
  const standing = useResource<Standing[]>(`/api/collections/standings${query(scope)}`);
  const notices = useResource<Notice[]>(`/api/collections/notices${query({ ...scope, action: ["notice", "task", "case"], page_size: 1 })}`);
  const cases = useResource<Case[]>(`/api/collections/cases${query({ ...scope, state: "open", page_size: 1 })}`);
  const [acting, setActing] = useState<Acting>(null);
  const [done, setDone] = useState<{ text: string; approvals: boolean } | null>(null);
  const found = standing.data?.[0];
  const notice = notices.data?.[0];
  const openCase = cases.data?.[0];
  useEffect(() => {
    document.getElementById("customer-panel-title")?.focus();
  }, []);
  // A run or an action changed the grid: what the panel shows may have changed too.
  const shown = useRef(round);
  useEffect(() => {
    if (round === shown.current) return;
    shown.current = round;
    standing.reload();
    notices.reload();
    cases.reload();
  }, [round]);
  if (standing.error) return <ErrorPanel error={standing.error} />;
  if (!found) return standing.loading ? <p class="loading">{t("app.loading")}</p> : null;
  const who = { projectId, customerId, customerName: found.customer_name };
  const [currency, amount] = Object.entries(found.overdue)[0] ?? ["CNY", ""];
  const finish = (text: string, approvals = false) => {
    setActing(null);
    setDone({ text, approvals });
    onChanged();
  };
  return (
    <div class="panel customer-panel" data-testid="customer-panel">
      <div class="page-head">
        <h2 id="customer-panel-title" tabIndex={-1}>
          {found.customer_name} <TierChip tier={found.tier} name={found.tier_name} />
        </h2>
        <div class="actions">
          <a href={`/office/collections/customers/${customerId}`} data-testid="open-credit">
            {t("office.collections.openCredit")}
          </a>
          {openCase ? (
            <a href={`/office/collections/cases/${openCase.id}`} data-testid="open-case">
              {t("office.collections.openCase")}
            </a>
          ) : null}
          <button type="button" onClick={onClose}>
            {t("office.collections.close")}
          </button>
        </div>
      </div>
      <p class="hint">
        <NameOf kind="projects" id={projectId} /> · {t("office.collections.oldestDaysN", { days: found.oldest_days })} · {totalsText(found.overdue)}
        {found.tier_since ? ` · ${t("office.collections.tierSince", { day: day(found.tier_since) })}` : ""}
      </p>
      {done ? (
        <p class="panel notice" role="status" data-testid="action-done">
          {done.text}
          {done.approvals ? (
            <>
              {" "}
              <a href="/office/approvals">{t("office.nav.approvals")}</a>
            </>
          ) : null}
        </p>
      ) : null}
      {can("collections:write") ? (
        <div class="actions">
          <SendNow who={who} onDone={(text) => finish(text)} />
          <button type="button" data-testid="record-promise" onClick={() => setActing("promise")}>
            {t("office.collections.promise.title")}
          </button>
          <button type="button" data-testid="ask-grace" onClick={() => setActing("grace")}>
            {t("office.collections.grace.title")}
          </button>
          <button type="button" data-testid="open-dispute" onClick={() => setActing("dispute")}>
            {t("office.collections.dispute.title")}
          </button>
        </div>
      ) : null}
      <h3>{t("office.collections.latestMessage")}</h3>
      {notices.error ? <ErrorPanel error={notices.error} /> : null}
      {notice ? <NoticeMessage notice={notice} /> : notices.loading ? null : <p class="hint">{t("office.collections.noMessage")}</p>}
      {acting === "promise" ? <PromiseDialog who={who} amount={amount} currency={currency} onClose={() => setActing(null)} onDone={() => finish(t("office.collections.promise.recorded"))} /> : null}
      {acting === "grace" ? <GraceDialog who={who} onClose={() => setActing(null)} onDone={() => finish(t("office.collections.grace.asked"), true)} /> : null}
      {acting === "dispute" ? <DisputeDialog who={who} onClose={() => setActing(null)} onDone={() => finish(t("office.collections.dispute.opened"))} /> : null}
    </div>
  );
}
