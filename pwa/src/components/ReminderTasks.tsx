/**
 * A manager's open reminder tasks, as the server counts them, linking to the office app's task list. Online
 * only: offline, or when the count cannot be had, nothing shows (there is nothing to act on from the phone).
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { online, session, useStore } from "../state";

interface TaskCount {
  open: number;
  overdue: number;
}

/** Who is sent reminders about leases: the holders of lease approval or of field confirmation. */
const HEARS = ["lease:approve", "field:confirm"];

export function ReminderTasks() {
  const current = useStore(session);
  const isOnline = useStore(online);
  const [count, setCount] = useState<TaskCount | null>(null);
  const hears = Boolean(current?.permissions.some((permission) => HEARS.includes(permission)));
  useEffect(() => {
    setCount(null);
    if (!hears || !isOnline) return;
    const controller = new AbortController();
    api<TaskCount>("/api/reminders/tasks/count", { signal: controller.signal })
      .then((value) => !controller.signal.aborted && setCount(value))
      .catch(() => !controller.signal.aborted && setCount(null));
    return () => controller.abort();
  }, [hears, isOnline, current?.user.id]);
  if (!hears || !isOnline || !count) return null;
  return (
    // A page of the office app, not a route of this one: the browser loads it (target).
    <a class="card tasks-link" href="/office/tasks" target="_self" data-testid="reminder-tasks" data-open={String(count.open)} data-overdue={String(count.overdue)}>
      {count.overdue ? t("tasks.countOverdue", { open: count.open, overdue: count.overdue }) : t("tasks.count", { open: count.open })}
    </a>
  );
}
