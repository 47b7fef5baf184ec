/**
 * A lease's health on its page: the last quarters' colours (named, not only coloured) with the reasons and
 * the recommended actions, what was counted, and the renewal advice with its reasons.
 */
import { t } from "../../i18n";
import { type HealthQuarter, type LeaseHealth as Health, named } from "../collections";
import { day } from "../format";
import { useResource } from "../hooks";
import { ErrorPanel } from "./ErrorPanel";

export function LeaseHealth({ leaseId }: { leaseId: number }) {
  const health = useResource<Health>(`/api/collections/leases/${leaseId}/health`);
  return (
    <div class="panel" data-testid="lease-health">
      <h2>{t("office.collections.health.title")}</h2>
      {health.error ? <ErrorPanel error={health.error} /> : null}
      {health.loading && !health.data ? <p class="loading">{t("app.loading")}</p> : null}
      {health.data ? (
        <>
          <p class="hint">{t("office.collections.health.asOf", { day: day(health.data.as_of) })}</p>
          <ol class="quarters" data-testid="health-quarters">
            {health.data.quarters.map((quarter) => (
              <Quarter key={quarter.quarter} quarter={quarter} />
            ))}
          </ol>
          {health.data.renewal ? (
            <div class="renewal" data-testid="renewal-advice" data-recommendation={health.data.renewal.recommendation}>
              <h3>
                {t("office.collections.health.renewal")}{" "}
                <span class={`chip chip-renewal-${health.data.renewal.recommendation}`} data-testid="renewal-recommendation">
                  {named("renewal", health.data.renewal.recommendation)}
                </span>
              </h3>
              <ul>
                {health.data.renewal.reasons.map((reason) => (
                  <li key={reason.code}>{reason.message}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function Quarter({ quarter }: { quarter: HealthQuarter }) {
  return (
    <li class={`quarter quarter-${quarter.colour}`} data-testid={`quarter-${quarter.quarter}`} data-colour={quarter.colour}>
      <div class="quarter-head">
        <strong>{quarter.quarter}</strong>{" "}
        <span class={`chip chip-health-${quarter.colour}`} data-testid="quarter-colour">
          {named("colour", quarter.colour)}
        </span>
      </div>
      {quarter.reasons.length ? (
        <ul class="quarter-reasons">
          {quarter.reasons.map((reason, index) => (
            <li key={index}>
              {reason.message}
              {reason.action ? <span class="hint"> → {reason.action}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t("office.collections.health.noReasons")}</p>
      )}
      {quarter.actions.length ? (
        <p class="quarter-actions">
          <span class="hint">{t("office.collections.health.actions")}</span> {quarter.actions.join("; ")}
        </p>
      ) : null}
      <details>
        <summary>{t("office.collections.health.counts")}</summary>
        <ul class="inline-list">
          {quarter.counts.map((count, index) => (
            <li key={index}>
              {named("signal", count.signal)} ({count.period}): {count.count}
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}
