/** A rent schedule as a table: period, due date, charge, months, amount, state; with gross, concessions, net. */
import { t } from "../../i18n";
import { day, money } from "../format";

export interface ScheduleItem {
  charge_type: string;
  period_start: string;
  period_end: string;
  due_date: string;
  months: string;
  amount: string;
  is_concession: boolean;
  provisional: boolean;
  status: string;
}

export interface Schedule {
  items: ScheduleItem[];
  totals: { gross: string; concessions: string; net: string; adjustments: string };
}

export function ScheduleTable({ schedule, testId }: { schedule: Schedule; testId: string }) {
  return (
    <div class="grid" data-testid={testId}>
      <dl class="totals" data-testid={`${testId}-totals`}>
        <div>
          <dt>{t("office.schedule.gross")}</dt>
          <dd data-testid="total-gross">{money(schedule.totals.gross)}</dd>
        </div>
        <div>
          <dt>{t("office.schedule.concessions")}</dt>
          <dd data-testid="total-concessions">{money(schedule.totals.concessions)}</dd>
        </div>
        <div>
          <dt>{t("office.schedule.adjustments")}</dt>
          <dd>{money(schedule.totals.adjustments)}</dd>
        </div>
        <div>
          <dt>{t("office.schedule.net")}</dt>
          <dd data-testid="total-net">{money(schedule.totals.net)}</dd>
        </div>
      </dl>
      <div class="grid-scroll tall" tabIndex={0}>
        <table>
          <caption class="sr-only">{t("office.schedule.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("office.schedule.period")}</th>
              <th scope="col">{t("office.schedule.due")}</th>
              <th scope="col">{t("office.schedule.charge")}</th>
              <th scope="col" class="num">
                {t("office.schedule.months")}
              </th>
              <th scope="col" class="num">
                {t("office.schedule.amount")}
              </th>
              <th scope="col">{t("office.schedule.state")}</th>
            </tr>
          </thead>
          <tbody>
            {schedule.items.map((item, index) => (
              <tr key={index} class={item.is_concession ? "concession" : undefined}>
                <td>
                  {day(item.period_start)} – {day(item.period_end)}
                </td>
                <td>
                  {day(item.due_date)}
                  {item.provisional ? <span title={t("office.schedule.provisionalHint")}> *</span> : null}
                </td>
                <td>{chargeName(item.charge_type)}</td>
                <td class="num">{item.months}</td>
                <td class="num">{money(item.amount)}</td>
                <td>{t(`office.itemStatus.${item.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A charge type's name in the user's language (the code itself for a type we do not know). */
export function chargeName(code: string): string {
  const key = `office.charge.${code}`;
  const name = t(key);
  return name === key ? code : name;
}
