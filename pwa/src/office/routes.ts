/**
 * Every screen of the office app: its path, its menu entry and the permission it needs. A screen the user may
 * not use is neither in the menu nor reachable by typing its address (the API refuses it anyway).
 */
import type { ComponentType } from "preact";
import { match } from "../router";

export interface Route {
  path: string;
  /** Message key of the menu entry and the page title. */
  title: string;
  /** Menu group (message key), or null for screens reached from others (details, forms). */
  group: string | null;
  /** Any one of these permissions opens the screen; none: every signed-in user. */
  permissions?: string[];
  load: () => Promise<ComponentType<{ params: Record<string, string> }>>;
}

export const ROUTES: Route[] = [
  { path: "/office/", title: "office.nav.home", group: "office.group.work", load: async () => (await import("./screens/Home")).Home },
  {
    path: "/office/approvals",
    title: "office.nav.approvals",
    group: "office.group.work",
    permissions: ["lease:approve", "field:confirm", "field_settings:approve", "lease:write"],
    load: async () => (await import("./screens/Approvals")).Approvals,
  },
  {
    path: "/office/approvals/:id",
    title: "office.nav.approval",
    group: null,
    load: async () => (await import("./screens/Approvals")).ApprovalDetail,
  },
  {
    path: "/office/tasks",
    title: "office.nav.tasks",
    group: "office.group.work",
    permissions: ["lease:read"],
    load: async () => (await import("./screens/Tasks")).Tasks,
  },
  {
    path: "/office/collections",
    title: "office.nav.collections",
    group: "office.group.work",
    permissions: ["collections:read"],
    load: async () => (await import("./screens/Collections")).Workbench,
  },
  {
    path: "/office/collections/cases/:id",
    title: "office.nav.collectionCase",
    group: null,
    permissions: ["collections:read"],
    load: async () => (await import("./screens/CollectionCases")).CaseDetail,
  },
  {
    path: "/office/collections/customers/:id",
    title: "office.nav.customerCredit",
    group: null,
    permissions: ["collections:read"],
    load: async () => (await import("./screens/CustomerCredit")).CustomerCredit,
  },
  {
    path: "/office/leases",
    title: "office.nav.leases",
    group: "office.group.leasing",
    permissions: ["lease:read"],
    load: async () => (await import("./screens/Leases")).Leases,
  },
  {
    path: "/office/leases/new",
    title: "office.nav.newLease",
    group: "office.group.leasing",
    permissions: ["lease:write"],
    load: async () => (await import("./screens/NewLease")).NewLease,
  },
  {
    path: "/office/leases/:id",
    title: "office.nav.lease",
    group: null,
    permissions: ["lease:read"],
    load: async () => (await import("./screens/LeaseDetail")).LeaseDetail,
  },
  {
    path: "/office/leases/:id/amend",
    title: "office.nav.amend",
    group: null,
    permissions: ["lease:write"],
    load: async () => (await import("./screens/Amend")).Amend,
  },
  {
    path: "/office/imports",
    title: "office.nav.import",
    group: "office.group.leasing",
    permissions: ["lease:write"],
    load: async () => (await import("./screens/Import")).Import,
  },
  {
    path: "/office/assets/board",
    title: "office.nav.board",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Assets")).AssetBoard,
  },
  {
    path: "/office/assets",
    title: "office.nav.assets",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Assets")).AssetList,
  },
  {
    path: "/office/assets/:id",
    title: "office.nav.asset",
    group: null,
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Assets")).AssetCard,
  },
  {
    path: "/office/field-requests",
    title: "office.nav.fieldRequests",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Lists")).FieldRequests,
  },
  {
    path: "/office/work-orders",
    title: "office.nav.workOrders",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Lists")).WorkOrders,
  },
  {
    path: "/office/iot/flags",
    title: "office.nav.iotFlags",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Iot")).IotFlags,
  },
  {
    path: "/office/audits",
    title: "office.nav.audits",
    group: "office.group.assets",
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Iot")).Audits,
  },
  {
    path: "/office/audits/:id",
    title: "office.nav.auditRun",
    group: null,
    permissions: ["asset:read"],
    load: async () => (await import("./screens/Iot")).AuditDetail,
  },
  {
    path: "/office/customers",
    title: "office.nav.customers",
    group: "office.group.leasing",
    permissions: ["customer:read"],
    load: async () => (await import("./screens/Lists")).Customers,
  },
  {
    path: "/office/portfolio",
    title: "office.nav.portfolio",
    group: "office.group.portfolio",
    permissions: ["portfolio:read"],
    load: async () => (await import("./screens/Portfolio")).PortfolioDashboard,
  },
  {
    path: "/office/portfolio/drilldown",
    title: "office.nav.drilldown",
    group: "office.group.portfolio",
    permissions: ["portfolio:read"],
    load: async () => (await import("./screens/Portfolio")).PortfolioDrilldown,
  },
  {
    path: "/office/portfolio/vacancies",
    title: "office.nav.vacancies",
    group: "office.group.portfolio",
    permissions: ["portfolio:read"],
    load: async () => (await import("./screens/PortfolioReports")).PortfolioVacancies,
  },
  {
    path: "/office/portfolio/reports",
    title: "office.nav.reports",
    group: "office.group.portfolio",
    permissions: ["portfolio:read"],
    load: async () => (await import("./screens/PortfolioReports")).PortfolioReports,
  },
  {
    path: "/office/projects",
    title: "office.nav.projects",
    group: "office.group.admin",
    permissions: ["project:read"],
    load: async () => (await import("./screens/Admin")).Projects,
  },
  {
    path: "/office/labels",
    title: "office.nav.labels",
    group: "office.group.assets",
    permissions: ["label:print"],
    load: async () => (await import("./screens/Admin")).Labels,
  },
  {
    path: "/office/templates",
    title: "office.nav.templates",
    group: "office.group.leasing",
    permissions: ["lease:read"],
    load: async () => (await import("./screens/Admin")).Templates,
  },
  {
    path: "/office/reminders/rules",
    title: "office.nav.reminderRules",
    group: "office.group.leasing",
    permissions: ["lease:read", "lease:configure"],
    load: async () => (await import("./screens/ReminderRules")).ReminderRules,
  },
  {
    path: "/office/codes",
    title: "office.nav.codes",
    group: "office.group.admin",
    permissions: ["lease:configure"],
    load: async () => (await import("./screens/Admin")).Codes,
  },
  {
    path: "/office/users",
    title: "office.nav.users",
    group: "office.group.admin",
    permissions: ["user:read"],
    load: async () => (await import("./screens/Lists")).Users,
  },
  {
    path: "/office/audit",
    title: "office.nav.audit",
    group: "office.group.admin",
    permissions: ["audit:read"],
    load: async () => (await import("./screens/Lists")).AuditLog,
  },
  {
    path: "/office/reminders/runs",
    title: "office.nav.reminderRuns",
    group: "office.group.admin",
    permissions: ["job:admin", "lease:configure"],
    load: async () => (await import("./screens/ReminderRuns")).ReminderRuns,
  },
  {
    path: "/office/jobs",
    title: "office.nav.jobs",
    group: "office.group.admin",
    permissions: ["job:admin"],
    load: async () => (await import("./screens/Lists")).JobRuns,
  },
];

/** The route a path opens, with its parameters. */
export function resolve(path: string): { route: Route; params: Record<string, string> } | null {
  const clean = path === "/office" ? "/office/" : path;
  // Fixed paths before patterns: /office/leases/new is not the lease "new".
  const ordered = [...ROUTES].sort((a, b) => Number(a.path.includes(":")) - Number(b.path.includes(":")));
  for (const route of ordered) {
    const params = match(route.path.replace(/\/$/, ""), clean.replace(/\/$/, "") || "/");
    if (params) return { route, params };
  }
  return null;
}

export function allowed(route: Route, permissions: string[]): boolean {
  return !route.permissions || route.permissions.some((permission) => permissions.includes(permission));
}
