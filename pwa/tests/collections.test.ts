import { beforeEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import {
  type Grace,
  type PaymentPromise,
  type Policy,
  type Standing,
  activePause,
  effectText,
  insertAt,
  named,
  nextStep,
  percent,
  placeholdersFrom,
  policyBody,
  policyForm,
  templateKeys,
  templateName,
  templateOfError,
  templatesDescription,
  totalsText,
} from "../src/office/collections";
import "../src/office/messages";
import { resolve } from "../src/office/routes";

beforeEach(() => setLanguage("en"));

function standing(changes: Partial<Standing> = {}): Standing {
  return {
    id: 1,
    project_id: 3,
    customer_id: 9,
    customer_name: "上海星河科技有限公司",
    customer_tier: "standard",
    tier: "friendly",
    tier_name: "Friendly reminder",
    tier_since: "2026-03-10",
    oldest_days: 33,
    overdue: { CNY: "20000.00" },
    last_notice_on: "2026-03-10",
    last_run_on: "2026-03-10",
    last_action: "notice",
    last_reason: "tier_up",
    ...changes,
  };
}

const iso = (value: string) => value;

function promise(changes: Partial<PaymentPromise>): PaymentPromise {
  return { id: 1, project_id: 3, customer_id: 9, promised_on: "2026-03-15", amount: "20000.00", currency: "CNY", made_on: "2026-03-10", note: null, state: "open", settled_on: null, paid: "0.00", ...changes };
}

function grace(changes: Partial<Grace>): Grace {
  return { id: 1, project_id: 3, customer_id: 9, days: 7, reason: "cash flow", state: "approved", starts_on: "2026-03-11", ends_on: "2026-03-17", requested_at: "2026-03-10T02:00:00+00:00", ...changes };
}

describe("a customer's next step", () => {
  it("is the tier's follow-up once the policy's repeat days have passed since the last message", () => {
    expect(nextStep(standing(), 7, null, iso)).toEqual({ code: "follow_up", text: "Follow-up due on 2026-03-17", on: "2026-03-17" });
    expect(nextStep(standing(), 5, null, iso).on).toBe("2026-03-15");
    // Without the policy yet, the default of 7 days.
    expect(nextStep(standing(), null, null, iso).on).toBe("2026-03-17");
  });

  it("is the account manager's task for a key account", () => {
    expect(nextStep(standing({ customer_tier: "key_account" }), 7, null, iso).code).toBe("task");
  });

  it("is held while money waits unmatched, with legal at tier 3, nothing once cleared", () => {
    expect(nextStep(standing({ last_action: "held", last_reason: "unmatched_payment" }), 7, null, iso).text).toBe("Held: money waiting unmatched on a statement");
    expect(nextStep(standing({ tier: "legal", last_action: "case" }), 7, null, iso).code).toBe("legal");
    expect(nextStep(standing({ tier: "none", last_action: "cleared" }), 7, null, iso).code).toBe("nothing");
  });

  it("is paused until the longest of an open promise and an approved grace period", () => {
    const pause = activePause([promise({}), promise({ id: 2, state: "broken", promised_on: "2026-04-01" })], [grace({})], "2026-03-12");
    expect(pause).toEqual({ kind: "grace", until: "2026-03-17" });
    expect(nextStep(standing({ last_action: "paused" }), 7, pause, iso).text).toBe("Paused until 2026-03-17 (grace period)");
    expect(activePause([promise({})], [grace({ state: "requested" })], "2026-03-12")).toEqual({ kind: "promise", until: "2026-03-15" });
    // A promise whose day has passed holds nothing.
    expect(activePause([promise({})], [], "2026-03-16")).toBeNull();
  });

  it("speaks Chinese for a Chinese reader", () => {
    setLanguage("zh-CN");
    expect(nextStep(standing(), 7, null, iso).text).toBe("2026-03-17 跟进");
    expect(named("tier", "friendly")).toBe("友好提醒");
  });
});

describe("amounts and chances", () => {
  it("writes amounts with their currency, several side by side", () => {
    expect(totalsText({ CNY: "20000.00" })).toBe("¥20,000.00");
    expect(totalsText({ CNY: "1.50", USD: "2.00" })).toBe("¥1.50 + USD 2.00");
    expect(totalsText({})).toBe("—");
  });

  it("writes a probability as a percentage and an effect in points", () => {
    expect(percent(0.4237)).toBe("42.4%");
    expect(percent(0.5)).toBe("50%");
    expect(percent(null)).toBe("—");
    expect(effectText(0.123)).toBe("+12.3 pts");
    expect(effectText(-0.05)).toBe("−5.0 pts");
  });

  it("names a code it does not know by the code itself", () => {
    expect(named("action", "notice")).toBe("Message sent");
    expect(named("action", "something_new")).toBe("something_new");
    expect(named("tier", null)).toBe("—");
  });
});

describe("the dunning policy", () => {
  const policy: Policy = {
    customer_tier: "standard",
    enabled: true,
    formal_from: 16,
    legal_from: 31,
    lock_from: 20,
    repeat_days: 7,
    tolerance_days: 0,
    pay_within_hours: 48,
    channels: ["email", "sms"],
    templates: {},
    stored: false,
  };

  it("offers a template per tier, step and language", () => {
    const keys = templateKeys();
    expect(keys).toHaveLength(12);
    expect(keys[0]).toBe("friendly.first.zh_CN");
    expect(keys).toContain("legal.follow_up.en");
    expect(templateName("friendly.follow_up.en")).toBe("Friendly reminder · Follow-up · English");
  });

  it("reads the placeholders from the API's description of the templates", () => {
    const openapi = {
      components: {
        schemas: {
          DunningPolicy: {
            properties: { templates: { description: "By <tier>.<step>.<language> (…); null goes back to the built-in one. Placeholders: ${customer}, ${total}, ${new_one}." } },
          },
        },
      },
    };
    expect(placeholdersFrom(templatesDescription(openapi))).toEqual(["customer", "total", "new_one"]);
    expect(placeholdersFrom(null)).toContain("pay_within_hours");
  });

  it("sends every threshold as a number, text it cannot read as typed, and only the templates changed", () => {
    const form = policyForm(policy);
    expect(policyBody(form)).toEqual({ enabled: true, pay_within_hours: 48, channels: ["email", "sms"], formal_from: 16, legal_from: 31, lock_from: 20, repeat_days: 7, tolerance_days: 0 });
    form.thresholds.repeat_days = " 五 ";
    form.templates["friendly.first.en"] = { subject: "Rent", body: "Dear ${customer}" };
    form.templates["formal.first.en"] = null;
    const body = policyBody(form);
    expect(body.repeat_days).toBe("五");
    expect(body.templates).toEqual({ "friendly.first.en": { subject: "Rent", body: "Dear ${customer}" }, "formal.first.en": null });
  });

  it("finds the template a server message is about", () => {
    expect(templateOfError("templates.friendly.first.en.body")).toBe("friendly.first.en");
    expect(templateOfError("templates.formal.follow_up.zh_CN.subject")).toBe("formal.follow_up.zh_CN");
    expect(templateOfError("formal_from")).toBeNull();
  });

  it("inserts a placeholder at the caret", () => {
    expect(insertAt("Dear , pay", "customer", 5, 5)).toEqual({ text: "Dear ${customer}, pay", caret: 16 });
    expect(insertAt("Total: ", "total", null, null).text).toBe("Total: ${total}");
  });
});

describe("the collections routes", () => {
  it("open the workbench, a case and a customer's credit page", () => {
    expect(resolve("/office/collections")?.route.permissions).toEqual(["collections:read"]);
    expect(resolve("/office/collections/cases/4")?.params).toEqual({ id: "4" });
    expect(resolve("/office/collections/customers/9")?.route.title).toBe("office.nav.customerCredit");
  });
});
