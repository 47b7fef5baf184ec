/** The back office's other lists: field requests, work orders, customers, users, the audit log, job runs. */
import type { ColumnDef } from "@tanstack/react-table";
import { useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { Choose, choices } from "../components/Choose";
import { DataGrid } from "../components/DataGrid";
import { errorText } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { NameOf } from "../components/Names";
import { useOptions } from "../components/Options";
import { instant } from "../format";
import { can } from "../session";
import { useQueryState } from "../urlstate";

function Select(props: { label: string; value: string; values: string[]; text: (value: string) => string; onChange: (value: string) => void; testId?: string }) {
  return (
    <label>
      {props.label}
      <Choose testId={props.testId} value={props.value} options={choices(props.values, props.text)} empty={t("office.filter.all")} onChange={props.onChange} />
    </label>
  );
}

interface StatusRequest {
  id: number;
  asset_id: number;
  asset_code: string;
  project_id: number;
  from_status: string;
  to_status: string;
  reason: string | null;
  applicant_id: number | null;
  submitted_at: string;
  fence_passed: boolean | null;
  remote: boolean;
  state: string;
}

export function FieldRequests() {
  const [filters, setFilters] = useQueryState(["state", "asset_id"]);
  const columns: ColumnDef<StatusRequest, unknown>[] = [
    { id: "submitted_at", header: () => t("office.request.submitted"), cell: ({ row }) => instant(row.original.submitted_at) },
    { id: "asset", header: () => t("office.lease.asset"), cell: ({ row }) => <a href={`/office/assets/${row.original.asset_id}`}>{row.original.asset_code}</a> },
    { id: "change", header: () => t("office.request.change"), cell: ({ row }) => `${t(`status.${row.original.from_status}`)} → ${t(`status.${row.original.to_status}`)}` },
    { id: "applicant", header: () => t("office.request.applicant"), cell: ({ row }) => <NameOf kind="users" id={row.original.applicant_id} /> },
    {
      id: "fence",
      header: () => t("office.request.onSite"),
      cell: ({ row }) => (row.original.remote ? t("office.request.remote") : row.original.fence_passed ? t("office.request.inFence") : t("office.request.notInFence")),
    },
    { id: "state", header: () => t("office.lease.status"), cell: ({ row }) => <span class={`chip chip-${row.original.state}`}>{t(`office.requestState.${row.original.state}`)}</span> },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.fieldRequests")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <Select label={t("office.lease.status")} value={filters.state} values={["pending", "confirmed", "rejected", "expired", "cancelled"]} text={(v) => t(`office.requestState.${v}`)} onChange={(state) => setFilters({ state })} />
      </form>
      <DataGrid<StatusRequest>
        endpoint="/api/status-requests"
        params={{ state: filters.state, asset_id: filters.asset_id }}
        columns={columns}
        sortable={["submitted_at", "state"]}
        initialSort={[{ id: "submitted_at", desc: true }]}
        testId="field-requests"
        caption={t("office.nav.fieldRequests")}
      />
    </section>
  );
}

interface WorkOrder {
  id: number;
  kind: string;
  state: string;
  asset_id: number;
  asset_code: string;
  title: string;
  assignee_id: number | null;
  created_at: string;
  blocks_letting: boolean;
}

export function WorkOrders() {
  const [filters, setFilters] = useQueryState(["state", "kind"]);
  const columns: ColumnDef<WorkOrder, unknown>[] = [
    { id: "created_at", header: () => t("office.workOrder.opened"), cell: ({ row }) => instant(row.original.created_at) },
    { id: "asset", header: () => t("office.lease.asset"), cell: ({ row }) => <a href={`/office/assets/${row.original.asset_id}`}>{row.original.asset_code}</a> },
    { id: "kind", header: () => t("office.approval.kind"), cell: ({ row }) => t(`office.workOrderKind.${row.original.kind}`) },
    { id: "title", header: () => t("office.workOrder.title"), cell: ({ row }) => row.original.title },
    { id: "assignee", header: () => t("office.workOrder.assignee"), cell: ({ row }) => <NameOf kind="users" id={row.original.assignee_id} /> },
    { id: "state", header: () => t("office.lease.status"), cell: ({ row }) => t(`office.workOrderState.${row.original.state}`) },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.workOrders")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <Select label={t("office.lease.status")} value={filters.state} values={["open", "in_progress", "done", "cancelled"]} text={(v) => t(`office.workOrderState.${v}`)} onChange={(state) => setFilters({ state })} />
        <Select label={t("office.approval.kind")} value={filters.kind} values={["handover", "cleaning", "repair", "inspection", "meter_reading"]} text={(v) => t(`office.workOrderKind.${v}`)} onChange={(kind) => setFilters({ kind })} />
      </form>
      <DataGrid<WorkOrder>
        endpoint="/api/work-orders"
        params={{ state: filters.state, kind: filters.kind }}
        columns={columns}
        testId="work-orders"
        caption={t("office.nav.workOrders")}
      />
    </section>
  );
}

interface Customer {
  id: number;
  code: string;
  name: string;
  kind: string;
  tier: string;
  phone: string | null;
  contacts: { name: string; phone: string | null; email: string | null; title: string | null; is_primary: boolean }[];
  bank_accounts: { account_name: string; account_number: string; bank_name: string }[];
  payer_names: string[];
}

export function Customers() {
  const [filters, setFilters] = useQueryState(["q", "tier"]);
  const [search, setSearch] = useState(filters.q);
  const columns: ColumnDef<Customer, unknown>[] = [
    { id: "code", header: () => t("office.customer.code"), cell: ({ row }) => row.original.code },
    { id: "name", header: () => t("office.customer.name"), cell: ({ row }) => <a href={`/office/leases?q=${encodeURIComponent(row.original.name)}`}>{row.original.name}</a> },
    { id: "tier", header: () => t("office.customer.tier"), cell: ({ row }) => t(`office.customerTier.${row.original.tier}`) },
    {
      id: "contact",
      header: () => t("office.customer.contacts"),
      cell: ({ row }) =>
        row.original.contacts.map((contact) => `${contact.name}${contact.title ? `（${contact.title}）` : ""} ${contact.phone ?? ""}`).join("; ") || "—",
    },
    { id: "banks", header: () => t("office.customer.bankAccounts"), cell: ({ row }) => row.original.bank_accounts.map((account) => `${account.bank_name} ${account.account_number}`).join("; ") || "—" },
    { id: "payers", header: () => t("office.customer.payers"), cell: ({ row }) => row.original.payer_names.join("; ") || "—" },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.customers")}</h1>
      <form class="filters" role="search" onSubmit={(event) => { event.preventDefault(); setFilters({ q: search }); }}>
        <label>
          {t("office.filter.search")}
          <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} onChange={() => setFilters({ q: search })} />
        </label>
        <Select label={t("office.customer.tier")} value={filters.tier} values={["key_account", "standard"]} text={(v) => t(`office.customerTier.${v}`)} onChange={(tier) => setFilters({ tier })} />
      </form>
      <DataGrid<Customer>
        endpoint="/api/customers"
        params={{ q: filters.q, tier: filters.tier }}
        columns={columns}
        sortable={["code", "name", "tier"]}
        initialSort={[{ id: "code", desc: false }]}
        testId="customers"
        caption={t("office.nav.customers")}
      />
    </section>
  );
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  is_active: boolean;
  last_login_at: string | null;
  locale: string;
  roles: { role: string; region_id: number | null; project_id: number | null }[];
}

const ROLES = ["admin", "director", "regional_manager", "project_manager", "leasing_agent", "finance", "legal", "inspector"];
/** Where a role holds: everywhere, in one region, or in one project. */
const ROLE_SCOPE: Record<string, "global" | "region" | "project"> = {
  admin: "global",
  director: "global",
  regional_manager: "region",
  finance: "region",
  legal: "region",
  leasing_agent: "project",
  project_manager: "project",
  inspector: "project",
};

function ActiveToggle({ user, onDone }: { user: UserRow; onDone: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  if (!can("user:write")) return null;
  const action = user.is_active ? "deactivate" : "reactivate";
  return (
    <>
      <button
        type="button"
        data-testid={`${action}-${user.username}`}
        onClick={() =>
          api(`/api/users/${user.id}/${action}`, { method: "POST" })
            .then(() => {
              setProblem(null);
              onDone();
            })
            .catch((error: unknown) => setProblem(errorText(error)))
        }
      >
        {t(`office.user.${action}`)}
      </button>
      {problem ? <span class="error">{problem}</span> : null}
    </>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const regions = useOptions("/api/regions");
  const projects = useOptions("/api/projects");
  const [values, setValues] = useState({ username: "", display_name: "", email: "", password: "", locale: "zh_CN", role: "inspector", target: "" });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const set = (name: keyof typeof values) => (event: Event) => setValues({ ...values, [name]: (event.target as HTMLInputElement).value });
  const scope = ROLE_SCOPE[values.role];
  const submit = async (event: Event) => {
    event.preventDefault();
    const role: Record<string, unknown> = { role: values.role };
    if (scope === "region") role.region_id = values.target ? Number(values.target) : null;
    if (scope === "project") role.project_id = values.target ? Number(values.target) : null;
    try {
      await api("/api/users", {
        method: "POST",
        json: {
          username: values.username.trim(),
          display_name: values.display_name.trim(),
          email: values.email.trim() || null,
          password: values.password,
          locale: values.locale,
          roles: [role],
        },
      });
      setValues({ ...values, username: "", display_name: "", email: "", password: "" });
      setErrors({});
      setProblem(null);
      onCreated();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) {
        setErrors(error.fields);
        setProblem(t("office.form.fix"));
      } else {
        setProblem(errorText(error));
      }
    }
  };
  return (
    <form class="form-grid" onSubmit={(event) => void submit(event)} data-testid="new-user" noValidate>
      <Field id="new-username" label={t("login.username")} errors={fieldErrors(errors, "username")} required>
        <input id="new-username" value={values.username} autoComplete="off" onInput={set("username")} />
      </Field>
      <Field id="new-display-name" label={t("office.user.name")} errors={fieldErrors(errors, "display_name")} required>
        <input id="new-display-name" value={values.display_name} onInput={set("display_name")} />
      </Field>
      <Field id="new-email" label={t("office.user.email")} errors={fieldErrors(errors, "email")}>
        <input id="new-email" type="email" value={values.email} onInput={set("email")} />
      </Field>
      <Field id="new-password" label={t("login.password")} errors={fieldErrors(errors, "password")} hint={t("office.user.passwordHint")} required>
        <input id="new-password" type="password" autoComplete="new-password" value={values.password} onInput={set("password")} />
      </Field>
      <Field id="new-locale" label={t("settings.language")}>
        <select id="new-locale" value={values.locale} onChange={set("locale")}>
          <option value="zh_CN">中文</option>
          <option value="en">English</option>
        </select>
      </Field>
      <Field id="new-role" label={t("office.user.roles")} errors={fieldErrors(errors, "roles")} required>
        <select id="new-role" data-testid="new-role" value={values.role} onChange={(e) => setValues({ ...values, role: (e.target as HTMLSelectElement).value, target: "" })}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`office.role.${role}`)}
            </option>
          ))}
        </select>
      </Field>
      {scope !== "global" ? (
        <Field id="new-target" label={scope === "region" ? t("office.user.region") : t("office.lease.project")} required>
          <Choose id="new-target" testId="new-target" value={values.target} options={scope === "region" ? regions : projects} empty={t("office.filter.choose")} onChange={(target) => setValues({ ...values, target })} />
        </Field>
      ) : null}
      {problem ? (
        <p class="error wide" role="alert" data-testid="new-user-error">
          {problem}
        </p>
      ) : null}
      <div class="actions wide">
        <button type="submit" class="primary" data-testid="create-user">
          {t("office.user.create")}
        </button>
      </div>
    </form>
  );
}

export function Users() {
  const [filters, setFilters] = useQueryState(["q", "role"]);
  const [round, setRound] = useState(0);
  const columns: ColumnDef<UserRow, unknown>[] = [
    { id: "username", header: () => t("login.username"), cell: ({ row }) => row.original.username },
    { id: "display_name", header: () => t("office.user.name"), cell: ({ row }) => row.original.display_name },
    {
      id: "roles",
      header: () => t("office.user.roles"),
      cell: ({ row }) =>
        row.original.roles.map((role, index) => (
          <span key={index} class="chip">
            {t(`office.role.${role.role}`)}
            {role.project_id ? <> · <NameOf kind="projects" id={role.project_id} /></> : role.region_id ? <> · <NameOf kind="regions" id={role.region_id} /></> : null}
          </span>
        )),
    },
    { id: "language", header: () => t("settings.language"), cell: ({ row }) => (row.original.locale === "en" ? "English" : "中文") },
    { id: "last_login", header: () => t("office.user.lastLogin"), cell: ({ row }) => instant(row.original.last_login_at) },
    { id: "active", header: () => t("office.lease.status"), cell: ({ row }) => (row.original.is_active ? t("office.user.active") : t("office.user.inactive")) },
    { id: "actions", header: () => "", cell: ({ row }) => <ActiveToggle user={row.original} onDone={() => setRound(round + 1)} /> },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.users")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.filter.search")}
          <input type="search" value={filters.q} onChange={(e) => setFilters({ q: (e.target as HTMLInputElement).value })} />
        </label>
        <Select label={t("office.user.roles")} value={filters.role} values={ROLES} text={(v) => t(`office.role.${v}`)} onChange={(role) => setFilters({ role })} />
      </form>
      {can("user:write") ? (
        <details class="panel">
          <summary>{t("office.user.new")}</summary>
          <NewUser onCreated={() => setRound(round + 1)} />
        </details>
      ) : null}
      <DataGrid<UserRow>
        endpoint="/api/users"
        params={{ q: filters.q, role: filters.role }}
        reloadKey={round}
        columns={columns}
        sortable={["username", "display_name"]}
        initialSort={[{ id: "username", desc: false }]}
        testId="users"
        caption={t("office.nav.users")}
      />
    </section>
  );
}

interface AuditRow {
  id: number;
  occurred_at: string;
  actor_name: string;
  origin: string;
  action: string;
  entity_type: string;
  entity_id: string;
  ip: string | null;
}

export function AuditLog() {
  const [filters, setFilters] = useQueryState(["entity_type", "action"]);
  const columns: ColumnDef<AuditRow, unknown>[] = [
    { id: "occurred_at", header: () => t("office.audit.when"), cell: ({ row }) => instant(row.original.occurred_at) },
    { id: "actor", header: () => t("office.audit.who"), cell: ({ row }) => row.original.actor_name },
    { id: "action", header: () => t("office.audit.action"), cell: ({ row }) => t(`office.auditAction.${row.original.action}`) },
    { id: "entity", header: () => t("office.audit.what"), cell: ({ row }) => `${row.original.entity_type} #${row.original.entity_id}` },
    { id: "origin", header: () => t("office.audit.origin"), cell: ({ row }) => row.original.origin },
    { id: "ip", header: () => "IP", cell: ({ row }) => row.original.ip ?? "—" },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.audit")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.audit.what")}
          <input value={filters.entity_type} placeholder="lease, asset, user…" onChange={(e) => setFilters({ entity_type: (e.target as HTMLInputElement).value })} />
        </label>
        <Select label={t("office.audit.action")} value={filters.action} values={["create", "update", "delete", "login", "logout", "login_failed", "deactivate", "reactivate", "revoke", "print_labels"]} text={(v) => t(`office.auditAction.${v}`)} onChange={(action) => setFilters({ action })} />
      </form>
      <DataGrid<AuditRow>
        endpoint="/api/audit"
        params={{ entity_type: filters.entity_type, action: filters.action }}
        columns={columns}
        sortable={["occurred_at"]}
        initialSort={[{ id: "occurred_at", desc: true }]}
        testId="audit"
        caption={t("office.nav.audit")}
      />
    </section>
  );
}

interface JobRun {
  id: number;
  kind: string;
  status: string;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  retry_of_id: number | null;
}

function RetryButton({ run }: { run: JobRun }) {
  const [state, setState] = useState<string | null>(null);
  if (run.status !== "failed" || !can("job:admin")) return null;
  return (
    <>
      <button
        type="button"
        data-testid={`retry-${run.id}`}
        disabled={state === "busy" || state === "done"}
        onClick={() => {
          setState("busy");
          api(`/api/job-runs/${run.id}/retry`, { method: "POST" })
            .then(() => setState("done"))
            .catch((error: unknown) => setState(errorText(error)));
        }}
      >
        {state === "done" ? t("office.job.retried") : t("office.job.retry")}
      </button>
      {state && !["busy", "done"].includes(state) ? <span class="error">{state}</span> : null}
    </>
  );
}

export function JobRuns() {
  const [filters, setFilters] = useQueryState(["status"]);
  const columns: ColumnDef<JobRun, unknown>[] = [
    { id: "started_at", header: () => t("office.job.started"), cell: ({ row }) => instant(row.original.started_at) },
    { id: "kind", header: () => t("office.approval.kind"), cell: ({ row }) => row.original.kind },
    { id: "status", header: () => t("office.lease.status"), cell: ({ row }) => <span class={`chip chip-${row.original.status}`}>{t(`office.jobStatus.${row.original.status}`)}</span> },
    { id: "reason", header: () => t("office.job.reason"), cell: ({ row }) => row.original.reason ?? "—" },
    { id: "finished_at", header: () => t("office.job.finished"), cell: ({ row }) => instant(row.original.finished_at) },
    { id: "retry", header: () => "", cell: ({ row }) => <RetryButton run={row.original} /> },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.jobs")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <Select label={t("office.lease.status")} value={filters.status} values={["running", "succeeded", "failed", "retried"]} text={(v) => t(`office.jobStatus.${v}`)} onChange={(status) => setFilters({ status })} testId="job-status" />
      </form>
      <DataGrid<JobRun>
        endpoint="/api/job-runs"
        params={{ status: filters.status ? [filters.status] : undefined }}
        columns={columns}
        sortable={["started_at", "finished_at"]}
        initialSort={[{ id: "started_at", desc: true }]}
        testId="job-runs"
        caption={t("office.nav.jobs")}
      />
    </section>
  );
}
