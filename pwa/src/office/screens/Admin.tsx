/** Head office's set-up: projects and regions (with their fences), label sheets, codes and aliases, templates. */
import { useState } from "preact/hooks";
import { ApiError, api, request } from "../../api";
import { EvidenceMap } from "../../components/EvidenceMap";
import { t } from "../../i18n";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { Choose } from "../components/Choose";
import { useOptions } from "../components/Options";
import { useResource } from "../hooks";
import { can } from "../session";
import { ASSET_STATUSES } from "./Assets";
import { FREQUENCIES } from "./NewLease";

interface Region {
  id: number;
  code: string;
  name: string;
}

interface Project {
  id: number;
  code: string;
  name: string;
  city: string;
  region_id: number;
  category: string;
  timezone: string;
  geofence: unknown;
  geofence_radius_m: string | null;
  remote_confirmation_allowed: boolean;
  gps_max_accuracy_m: string | null;
}

export function Projects() {
  const regions = useResource<Region[]>("/api/regions?page_size=500");
  const projects = useResource<Project[]>("/api/projects?page_size=500&sort=code");
  if (regions.error || projects.error) return <ErrorPanel error={regions.error ?? projects.error} />;
  if (!regions.data || !projects.data) return <p class="loading">{t("app.loading")}</p>;
  return (
    <section class="page" data-testid="projects">
      <h1>{t("office.nav.projects")}</h1>
      {regions.data.map((region) => {
        const inRegion = projects.data!.filter((project) => project.region_id === region.id);
        if (!inRegion.length) return null;
        return (
          <div class="panel" key={region.id}>
            <h2>
              {region.name} <span class="hint">{region.code}</span>
            </h2>
            <div class="cards">
              {inRegion.map((project) => (
                <div class="project-card" key={project.id} data-testid={`project-${project.code}`}>
                  <h3>
                    {project.name} <span class="hint">{project.code}</span>
                  </h3>
                  <dl class="facts">
                    <dt>{t("office.project.city")}</dt>
                    <dd>{project.city}</dd>
                    <dt>{t("office.project.zone")}</dt>
                    <dd>{project.timezone}</dd>
                    <dt>{t("office.project.remote")}</dt>
                    <dd>{project.remote_confirmation_allowed ? t("office.project.allowed") : t("office.project.notAllowed")}</dd>
                    <dt>{t("office.project.accuracy")}</dt>
                    <dd>{project.gps_max_accuracy_m ? `${Number(project.gps_max_accuracy_m)} ${t("office.project.metres")}` : "—"}</dd>
                  </dl>
                  {project.geofence ? (
                    <EvidenceMap fence={project.geofence} radius_m={project.geofence_radius_m ? Number(project.geofence_radius_m) : null} latitude={null} longitude={null} accuracy_m={null} />
                  ) : (
                    <p class="hint">{t("office.project.noFence")}</p>
                  )}
                  <a href={`/office/assets?project_id=${project.id}`}>{t("office.nav.assets")}</a>
                </div>
              ))}
            </div>
          </div>
        );
      })}
    </section>
  );
}

export function Labels() {
  const projects = useOptions("/api/projects");
  const [projectId, setProjectId] = useState("");
  const [layout, setLayout] = useState("a4-3x8");
  const [statuses, setStatuses] = useState<string[]>([]);
  const [file, setFile] = useState<{ url: string; name: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const response = await request(`/api/projects/${projectId}/labels`, { method: "POST", json: { layout, status: statuses } });
      const blob = await response!.blob();
      if (file) URL.revokeObjectURL(file.url);
      const code = projects.find((option) => option.value === projectId)?.label.split(" · ")[0] ?? projectId;
      setFile({ url: URL.createObjectURL(blob), name: `labels-${code}.pdf` });
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page" data-testid="labels">
      <h1>{t("office.nav.labels")}</h1>
      <form class="form-grid" onSubmit={(event) => event.preventDefault()}>
        <Field id="label-project" label={t("office.lease.project")} required>
          <Choose id="label-project" testId="label-project" value={projectId} options={projects} empty={t("office.filter.choose")} onChange={(value) => setProjectId(value)} />
        </Field>
        <Field id="label-layout" label={t("office.labels.layout")}>
          <select id="label-layout" value={layout} onChange={(e) => setLayout((e.target as HTMLSelectElement).value)}>
            {["a4-3x8", "a4-4x10", "roll-50x30"].map((name) => (
              <option key={name} value={name}>
                {t(`office.labels.layouts.${name}`)}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="wide">
          <legend>{t("office.labels.statuses")}</legend>
          <div class="row">
            {ASSET_STATUSES.map((status) => (
              <label key={status} class="check">
                <input
                  type="checkbox"
                  checked={statuses.includes(status)}
                  onChange={(e) =>
                    setStatuses((e.target as HTMLInputElement).checked ? [...statuses, status] : statuses.filter((item) => item !== status))
                  }
                />{" "}
                {t(`status.${status}`)}
              </label>
            ))}
          </div>
          <span class="hint">{t("office.labels.allWhenNone")}</span>
        </fieldset>
      </form>
      {problem ? (
        <div class="panel panel-error" role="alert">
          {problem}
        </div>
      ) : null}
      <div class="actions">
        <button type="button" class="primary" data-testid="make-labels" disabled={!projectId || busy || !can("label:print")} onClick={() => void make()}>
          {t("office.labels.make")}
        </button>
        {file ? (
          <a class="button-like" href={file.url} download={file.name} data-testid="labels-file">
            {t("office.labels.download", { name: file.name })}
          </a>
        ) : null}
      </div>
    </section>
  );
}

interface Alias {
  id?: number;
  domain: string;
  alias: string;
  canonical: string;
}

const DOMAINS = ["frequency", "timing", "business_day_rule", "charge_type"];
const CANONICAL: Record<string, string[]> = {
  frequency: FREQUENCIES,
  timing: ["prepaid", "arrears"],
  business_day_rule: ["none", "following", "modified_following"],
  charge_type: ["rent", "service_fee", "parking", "other"],
};

export function Codes() {
  const own = useResource<Alias[]>("/api/code-aliases?page_size=500&sort=domain,alias");
  const builtin = useResource<Alias[]>("/api/code-aliases/builtin?page_size=500");
  const [domain, setDomain] = useState("frequency");
  const [alias, setAlias] = useState("");
  const [canonical, setCanonical] = useState(CANONICAL.frequency[0]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const add = async () => {
    try {
      await api("/api/code-aliases", { method: "POST", json: { domain, alias, canonical } });
      setAlias("");
      setErrors({});
      setProblem(null);
      own.reload();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) setErrors(error.fields);
      else setProblem(errorText(error));
    }
  };
  const remove = async (id: number) => {
    try {
      await api(`/api/code-aliases/${id}`, { method: "DELETE" });
      own.reload();
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const editable = can("lease:configure");
  return (
    <section class="page" data-testid="codes">
      <h1>{t("office.nav.codes")}</h1>
      {editable ? (
        <form class="form-grid" onSubmit={(event) => { event.preventDefault(); void add(); }}>
          <Field id="alias-domain" label={t("office.codes.domain")}>
            <select id="alias-domain" value={domain} onChange={(e) => { const next = (e.target as HTMLSelectElement).value; setDomain(next); setCanonical(CANONICAL[next][0]); }}>
              {DOMAINS.map((name) => (
                <option key={name} value={name}>
                  {t(`office.codes.domains.${name}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="alias-text" label={t("office.codes.alias")} errors={fieldErrors(errors, "alias")} required>
            <input id="alias-text" data-testid="alias-text" value={alias} onInput={(e) => setAlias((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="alias-canonical" label={t("office.codes.canonical")} errors={fieldErrors(errors, "canonical")}>
            <select id="alias-canonical" value={canonical} onChange={(e) => setCanonical((e.target as HTMLSelectElement).value)}>
              {CANONICAL[domain].map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          </Field>
          <div class="actions wide">
            <button type="submit" class="primary" data-testid="alias-add" disabled={!alias.trim()}>
              {t("office.codes.add")}
            </button>
          </div>
        </form>
      ) : null}
      {problem ? (
        <div class="panel panel-error" role="alert">
          {problem}
        </div>
      ) : null}
      <div class="columns">
        <div class="panel">
          <h2>{t("office.codes.own")}</h2>
          {own.error ? <ErrorPanel error={own.error} /> : null}
          <table data-testid="aliases">
            <thead>
              <tr>
                <th scope="col">{t("office.codes.domain")}</th>
                <th scope="col">{t("office.codes.alias")}</th>
                <th scope="col">{t("office.codes.canonical")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {(own.data ?? []).map((row) => (
                <tr key={row.id}>
                  <td>{t(`office.codes.domains.${row.domain}`)}</td>
                  <td>{row.alias}</td>
                  <td>{row.canonical}</td>
                  <td>
                    {editable ? (
                      <button type="button" onClick={() => void remove(row.id!)}>
                        {t("office.form.remove")}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="panel">
          <h2>{t("office.codes.builtin")}</h2>
          <div class="grid-scroll tall" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("office.codes.domain")}</th>
                  <th scope="col">{t("office.codes.alias")}</th>
                  <th scope="col">{t("office.codes.canonical")}</th>
                </tr>
              </thead>
              <tbody>
                {(builtin.data ?? []).map((row, index) => (
                  <tr key={index}>
                    <td>{t(`office.codes.domains.${row.domain}`)}</td>
                    <td>{row.alias}</td>
                    <td>{row.canonical}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}

interface Template {
  id: number;
  code: string;
  name: string;
  contract_type: string;
  frequency: string;
  timing: string;
  required_fields: string[];
  notice_period_days: number;
  deposit_months: string;
  is_active: boolean;
}

export function Templates() {
  const templates = useResource<Template[]>("/api/contract-templates?page_size=100&sort=code");
  if (templates.error) return <ErrorPanel error={templates.error} />;
  return (
    <section class="page">
      <h1>{t("office.nav.templates")}</h1>
      <div class="grid">
        <table data-testid="templates">
          <thead>
            <tr>
              <th scope="col">{t("office.customer.code")}</th>
              <th scope="col">{t("office.customer.name")}</th>
              <th scope="col">{t("office.lease.frequency")}</th>
              <th scope="col">{t("office.lease.timing")}</th>
              <th scope="col">{t("office.template.required")}</th>
              <th scope="col" class="num">
                {t("office.lease.notice")}
              </th>
              <th scope="col" class="num">
                {t("office.template.depositMonths")}
              </th>
              <th scope="col">{t("office.lease.status")}</th>
            </tr>
          </thead>
          <tbody>
            {(templates.data ?? []).map((row) => (
              <tr key={row.id}>
                <td>{row.code}</td>
                <td>
                  <a href={`/office/leases?template_id=${row.id}`}>{row.name}</a>
                </td>
                <td>{t(`office.frequency.${row.frequency}`)}</td>
                <td>{t(`office.timing.${row.timing}`)}</td>
                <td>{row.required_fields.map((name) => t(`office.template.fields.${name}`)).join("、")}</td>
                <td class="num">{row.notice_period_days}</td>
                <td class="num">{Number(row.deposit_months)}</td>
                <td>{row.is_active ? t("office.user.active") : t("office.user.inactive")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
