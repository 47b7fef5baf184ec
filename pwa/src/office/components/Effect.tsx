/** An amendment's effect on the schedule: period by period before, after and the difference, with totals. */
import { t } from "../../i18n";
import { day, money } from "../format";
import { chargeName } from "./Schedule";

export interface EffectPeriod {
  charge_type: string;
  period_start: string;
  period_end: string;
  due_date: string | null;
  before: string;
  after: string;
  difference: string;
  billed: boolean;
}

export interface Effect {
  as_of?: string;
  periods?: EffectPeriod[];
  totals?: { unbilled_difference?: string; credit?: string; debit?: string; write_off?: string };
}

export function EffectTable({ effect, testId }: { effect: Effect; testId: string }) {
  const periods = effect.periods ?? [];
  return (
    <div data-testid={testId}>
      <dl class="totals">
        <div>
          <dt>{t("office.effect.unbilled")}</dt>
          <dd data-testid="effect-unbilled">{money(effect.totals?.unbilled_difference ?? "0")}</dd>
        </div>
        <div>
          <dt>{t("office.effect.credit")}</dt>
          <dd>{money(effect.totals?.credit ?? "0")}</dd>
        </div>
        <div>
          <dt>{t("office.effect.debit")}</dt>
          <dd>{money(effect.totals?.debit ?? "0")}</dd>
        </div>
        {effect.totals?.write_off ? (
          <div>
            <dt>{t("office.effect.writeOff")}</dt>
            <dd>{money(effect.totals.write_off)}</dd>
          </div>
        ) : null}
      </dl>
      {periods.length ? (
        <div class="grid-scroll tall" tabIndex={0}>
          <table>
            <caption class="sr-only">{t("office.effect.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.schedule.period")}</th>
                <th scope="col">{t("office.schedule.charge")}</th>
                <th scope="col" class="num">
                  {t("office.effect.before")}
                </th>
                <th scope="col" class="num">
                  {t("office.effect.after")}
                </th>
                <th scope="col" class="num">
                  {t("office.effect.difference")}
                </th>
                <th scope="col">{t("office.effect.billed")}</th>
              </tr>
            </thead>
            <tbody>
              {periods.map((period, index) => (
                <tr key={index}>
                  <td>
                    {day(period.period_start)} – {day(period.period_end)}
                  </td>
                  <td>{chargeName(period.charge_type)}</td>
                  <td class="num">{money(period.before)}</td>
                  <td class="num">{money(period.after)}</td>
                  <td class={`num ${Number(period.difference) < 0 ? "negative" : ""}`}>{money(period.difference)}</td>
                  <td>{period.billed ? t("office.effect.billedYes") : t("office.effect.billedNo")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="hint">{t("office.effect.none")}</p>
      )}
    </div>
  );
}
