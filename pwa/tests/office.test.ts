import { describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import { query } from "../src/office/components/DataGrid";
import { fieldErrors } from "../src/office/components/Field";
import { addDays, day, money, today } from "../src/office/format";
import { ROUTES, allowed, resolve } from "../src/office/routes";
import { monthlyTotal } from "../src/office/screens/Leases";

describe("office formats", () => {
  it("writes money with the yuan sign, thousands and two decimals, in both languages", () => {
    setLanguage("zh-CN");
    expect(money("1234.5")).toBe("¥1,234.50");
    expect(money("-0.4")).toBe("-¥0.40");
    setLanguage("en");
    expect(money("1234567.891")).toBe("¥1,234,567.89");
    expect(money(null)).toBe("—");
  });

  it("shows a business date as that day, whatever the browser's zone", () => {
    setLanguage("zh-CN");
    expect(day("2026-01-01")).toBe("2026年1月1日");
    setLanguage("en");
    expect(day("2026-01-01")).toBe("1 Jan 2026");
  });

  it("knows today in the project's zone and counts days across a month end", () => {
    // 2026-12-31 17:30 UTC is already 2027-01-01 in Shanghai.
    expect(today("Asia/Shanghai", new Date(Date.UTC(2026, 11, 31, 17, 30)))).toBe("2027-01-01");
    expect(addDays("2026-01-31", 30)).toBe("2026-03-02");
  });

  it("sums a lease's monthly charges in cents", () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; in cents it is 30.
    const term = { starts_on: "2022-09-01", ends_on: "2027-08-31" };
    expect(monthlyTotal({ ...term, charge_lines: [{ charge_type: "rent", monthly_amount: "0.10" }, { charge_type: "parking", monthly_amount: "0.20" }] }, "2026-12-03")).toBe("0.30");
    expect(monthlyTotal({ ...term, charge_lines: [{ charge_type: "rent", monthly_amount: "79853.00" }, { charge_type: "service_fee", monthly_amount: "9397.12" }] }, "2026-12-03")).toBe("89250.12");
  });

  it("counts only the escalation step in force: today, the first day before the start, the last after the end", () => {
    const lease = {
      starts_on: "2022-09-01",
      ends_on: "2027-08-31",
      charge_lines: [
        { charge_type: "rent", monthly_amount: "136940.55", starts_on: "2025-09-01", ends_on: "2026-08-31" },
        { charge_type: "rent", monthly_amount: "141048.77", starts_on: "2026-09-01", ends_on: "2027-08-31" },
        { charge_type: "parking", monthly_amount: "3000.00", starts_on: null, ends_on: null },
      ],
    };
    // 141,048.77 + 3,000.00 on 3 December 2026; the step before it on 1 March 2026.
    expect(monthlyTotal(lease, "2026-12-03")).toBe("144048.77");
    expect(monthlyTotal(lease, "2026-03-01")).toBe("139940.55");
    // Ended: its last day's lines; not yet started: its first day's lines.
    expect(monthlyTotal(lease, "2030-01-01")).toBe("144048.77");
    expect(monthlyTotal({ ...lease, starts_on: "2025-09-01" }, "2020-01-01")).toBe("139940.55");
  });
});

describe("office routes", () => {
  it("opens fixed paths before patterns and reads parameters", () => {
    expect(resolve("/office/leases/new")?.route.path).toBe("/office/leases/new");
    expect(resolve("/office/leases/12")?.params).toEqual({ id: "12" });
    expect(resolve("/office/leases/12/amend")?.route.path).toBe("/office/leases/:id/amend");
    expect(resolve("/office")?.route.path).toBe("/office/");
    expect(resolve("/office/nothing-here")).toBeNull();
  });

  it("lets a screen open only with one of its permissions", () => {
    const leases = ROUTES.find((route) => route.path === "/office/leases")!;
    expect(allowed(leases, ["lease:read"])).toBe(true);
    expect(allowed(leases, ["asset:read"])).toBe(false);
  });
});

describe("office lists and forms", () => {
  it("repeats list parameters and leaves out empty ones", () => {
    expect(query({ status: ["active", "expiring"], q: "", page: 2, project_id: undefined })).toBe(
      "?status=active&status=expiring&page=2",
    );
    expect(query({})).toBe("");
  });

  it("gathers the server's messages for a field and its parts", () => {
    const fields = { "charge_lines.0.monthly_amount": ["Not a valid number."], charge_lines: ["Required."], customer_id: ["x"] };
    expect(fieldErrors(fields, "charge_lines")).toEqual(["Not a valid number.", "Required."]);
    expect(fieldErrors(fields, "ends_on")).toBeUndefined();
  });
});
