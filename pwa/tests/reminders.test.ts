import { beforeEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import "../src/office/messages";
import {
  CHANNELS,
  DATE_KINDS,
  MANUAL_KINDS,
  RECIPIENT_ROLES,
  TASK_STATES,
  countOf,
  countsByReason,
  daysBetween,
  durationSeconds,
  feedAddress,
  formatDuration,
  named,
  overdueDays,
  rulesBody,
  tierLabel,
  tierNumbers,
  toRows,
  toggled,
} from "../src/office/reminders";
import { ROUTES, allowed } from "../src/office/routes";

beforeEach(() => setLanguage("en"));

describe("reminder tiers", () => {
  it("writes a tier among its date's tiers", () => {
    expect(tierLabel(2, 3)).toBe("2/3");
    expect(tierLabel(1, 1)).toBe("1/1");
  });

  it("numbers tiers as the server will: most days before first, equal days in the form's order", () => {
    expect(tierNumbers([{ days_before: "7" }, { days_before: "30" }, { days_before: "15" }])).toEqual([3, 1, 2]);
    expect(tierNumbers([{ days_before: "30" }, { days_before: "30" }, { days_before: "7" }])).toEqual([1, 2, 3]);
  });

  it("leaves a row without a whole number of days unnumbered, and the others count without it", () => {
    const numbers = tierNumbers([{ days_before: "15" }, { days_before: "" }, { days_before: "7.5" }, { days_before: " 60 " }]);
    expect(numbers).toEqual([2, null, null, 1]);
    expect(numbers.filter((value) => value !== null)).toHaveLength(2);
  });

  it("reads a stored rule into rows in tier order, codes in the catalogue's order", () => {
    const rows = toRows({
      tiers: [
        { tier: 2, days_before: 15, roles: ["legal", "finance"], channels: ["sms", "email"], ack_required: true },
        { tier: 1, days_before: 30, roles: ["account_manager"], channels: [], ack_required: true },
      ],
    });
    expect(rows).toEqual([
      { days_before: "30", roles: ["account_manager"], channels: [], ack_required: true },
      { days_before: "15", roles: ["finance", "legal"], channels: ["email", "sms"], ack_required: true },
    ]);
  });

  it("turns the form into the PUT body in the form's order, so that tiers.<n> errors land on row n", () => {
    const body = rulesBody([
      { days_before: "7", roles: ["director"], channels: ["wecom", "email"], ack_required: true },
      { days_before: " 30 ", roles: ["account_manager", "account_manager"], channels: [], ack_required: false },
      { days_before: "", roles: [], channels: [], ack_required: false },
      { days_before: "ten", roles: ["legal"], channels: [], ack_required: false },
    ]);
    expect(body).toEqual({
      tiers: [
        { days_before: 7, roles: ["director"], channels: ["email", "wecom"], ack_required: true },
        { days_before: 30, roles: ["account_manager"], channels: [], ack_required: false },
        // What the server must refuse goes as typed: its message then says what is wrong.
        { days_before: null, roles: [], channels: [], ack_required: false },
        { days_before: "ten", roles: ["legal"], channels: [], ack_required: false },
      ],
    });
  });

  it("adds and removes a code, keeping each once and in the catalogue's order", () => {
    expect(toggled(["legal"], "account_manager", true, RECIPIENT_ROLES)).toEqual(["account_manager", "legal"]);
    expect(toggled(["account_manager", "legal"], "legal", true, RECIPIENT_ROLES)).toEqual(["account_manager", "legal"]);
    expect(toggled(["email", "sms"], "email", false, CHANNELS)).toEqual(["sms"]);
  });
});

describe("task dates and runs", () => {
  it("counts whole days between business dates, across a month end and a leap day", () => {
    expect(daysBetween("2027-02-27", "2027-03-01")).toBe(2);
    expect(daysBetween("2028-02-27", "2028-03-01")).toBe(3);
    expect(daysBetween("2027-03-01", "2027-02-27")).toBe(-2);
  });

  it("says how many days a task is overdue, never fewer than none", () => {
    expect(overdueDays("2027-11-28", "2027-12-01")).toBe(3);
    expect(overdueDays("2027-12-01", "2027-12-01")).toBe(0);
    expect(overdueDays("2027-12-05", "2027-12-01")).toBe(0);
    expect(overdueDays(null, "2027-12-01")).toBe(0);
  });

  it("times a run from its start to its end, and not while it runs", () => {
    expect(durationSeconds("2027-12-01T18:00:00Z", "2027-12-01T18:02:05.400Z")).toBeCloseTo(125.4);
    expect(durationSeconds("2027-12-01T18:00:00Z", null)).toBeNull();
    expect(formatDuration(0.43)).toBe("0.4 s");
    expect(formatDuration(12.4)).toBe("12 s");
    expect(formatDuration(125.4)).toBe("2 min 05 s");
    expect(formatDuration(null)).toBe("—");
    setLanguage("zh-CN");
    expect(formatDuration(125.4)).toBe("2 分 05 秒");
  });

  it("reads a run's count as a number or as counts by reason", () => {
    expect(countOf(4)).toBe(4);
    expect(countOf({ no_renewal_tag: 2, date_passed: 1 })).toBe(3);
    expect(countOf(undefined)).toBe(0);
    expect(countsByReason(4)).toBeNull();
    expect(countsByReason({ no_renewal_tag: 2, date_passed: 0, renewed: 1 })).toBe("Tagged “no renewal” 2, Already renewed 1");
  });

  it("makes the feed's address absolute on this site when the server gives a path", () => {
    expect(feedAddress("/ics/abc.ics", "https://lk.example.cn")).toBe("https://lk.example.cn/ics/abc.ics");
    expect(feedAddress("https://cal.example.cn/ics/abc.ics", "https://lk.example.cn")).toBe("https://cal.example.cn/ics/abc.ics");
  });
});

describe("reminder names", () => {
  it("names every date kind, role, channel and task state in both languages", () => {
    for (const language of ["en", "zh-CN"] as const) {
      setLanguage(language);
      for (const kind of [...DATE_KINDS, ...MANUAL_KINDS]) expect(named("dateKind", kind)).not.toBe(kind);
      for (const role of RECIPIENT_ROLES) expect(named("role", role)).not.toBe(role);
      for (const channel of CHANNELS.filter((code) => code !== "webhook")) expect(named("channel", channel)).not.toBe(channel);
      for (const state of TASK_STATES) expect(named("taskState", state)).not.toBe(state);
    }
    setLanguage("zh-CN");
    expect(DATE_KINDS.map((kind) => named("dateKind", kind))).toEqual(["租约到期", "续租通知期", "租金调整", "押金退还", "保险到期", "提前解约权", "其他"]);
    expect(named("dateKind", "termination_notice")).toBe("解约通知");
    expect(RECIPIENT_ROLES.map((role) => named("role", role))).toEqual(["客户经理", "运营总监", "区域经理", "项目经理", "招商专员", "财务", "法务"]);
    expect(CHANNELS.map((channel) => named("channel", channel))).toEqual(["邮件", "网页推送", "短信", "企业微信", "钉钉", "Webhook"]);
    expect(TASK_STATES.map((state) => named("taskState", state))).toEqual(["待处理", "已确认", "已升级", "已取消"]);
    expect(named("reason", "no_renewal_tag")).toBe("标记为“不续租”");
  });

  it("writes a code it does not know as the code", () => {
    expect(named("delivery", "bounced")).toBe("bounced");
    expect(named("dateKind", null)).toBe("—");
  });
});

describe("reminder screens", () => {
  it("open the task list to every lease reader, the rules to readers, the run log to job admins and configurers", () => {
    const route = (path: string) => ROUTES.find((item) => item.path === path)!;
    expect(allowed(route("/office/tasks"), ["lease:read"])).toBe(true);
    expect(route("/office/tasks").group).toBe("office.group.work");
    expect(allowed(route("/office/reminders/rules"), ["lease:read"])).toBe(true);
    expect(allowed(route("/office/reminders/runs"), ["lease:read"])).toBe(false);
    expect(allowed(route("/office/reminders/runs"), ["job:admin"])).toBe(true);
    expect(allowed(route("/office/reminders/runs"), ["lease:configure"])).toBe(true);
  });
});
