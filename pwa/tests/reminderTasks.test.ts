import { h, render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setFetch } from "../src/api";
import { ReminderTasks } from "../src/components/ReminderTasks";
import { setLanguage } from "../src/i18n";
import { online, session } from "../src/state";

let root: HTMLElement;
let asked: string[];

function answer(status: number, body: unknown): void {
  setFetch(async (input) => {
    asked.push(String(input));
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
}

function signedIn(permissions: string[]): void {
  session.set({ token: "t", device_id: 1, user: { id: 7, username: "manager", locale: "zh_CN" }, permissions });
}

async function shown(): Promise<HTMLAnchorElement | null> {
  await act(async () => {
    render(h(ReminderTasks, {}), root);
  });
  // The count's request and its answer.
  await act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
  return root.querySelector("[data-testid=reminder-tasks]");
}

beforeEach(() => {
  setLanguage("zh-CN");
  root = document.createElement("div");
  document.body.append(root);
  asked = [];
  online.set(true);
});

afterEach(() => {
  render(null, root);
  root.remove();
  session.set(null);
});

describe("the field app's count of open reminder tasks", () => {
  it("shows a manager's open and overdue tasks, linking to the office app's task list", async () => {
    signedIn(["field:confirm", "lease:approve"]);
    answer(200, { open: 3, overdue: 1 });
    const link = await shown();
    expect(asked).toEqual(["/api/reminders/tasks/count"]);
    expect(link?.textContent).toBe("待办提醒 3（逾期 1）");
    expect(link?.getAttribute("href")).toBe("/office/tasks");
    // Loaded by the browser, not by the field app's router.
    expect(link?.getAttribute("target")).toBe("_self");
  });

  it("leaves out the overdue part when nothing is overdue", async () => {
    signedIn(["lease:approve"]);
    answer(200, { open: 2, overdue: 0 });
    expect((await shown())?.textContent).toBe("待办提醒 2");
  });

  it("asks nothing for someone who hears no reminders, nor offline", async () => {
    signedIn(["field:report"]);
    answer(200, { open: 3, overdue: 1 });
    expect(await shown()).toBeNull();
    signedIn(["field:confirm"]);
    online.set(false);
    expect(await shown()).toBeNull();
    expect(asked).toEqual([]);
  });

  it("shows nothing when the count cannot be had", async () => {
    signedIn(["field:confirm"]);
    answer(500, { message: "boom" });
    expect(await shown()).toBeNull();
    expect(asked).toEqual(["/api/reminders/tasks/count"]);
  });
});
