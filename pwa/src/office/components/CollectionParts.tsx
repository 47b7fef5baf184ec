/** Small pieces the collections screens share: a tier as a chip, a notice's message as it was sent. */
import { t } from "../../i18n";
import { type Notice, named } from "../collections";
import { day } from "../format";

export function TierChip({ tier, name }: { tier: string; name?: string }) {
  return (
    <span class={`chip chip-tier-${tier}`} data-testid="tier" data-tier={tier}>
      {name ?? named("tier", tier)}
    </span>
  );
}

/** A notice's message as it was sent: subject, body, the channels and the addresses, the bills it named. */
export function NoticeMessage({ notice }: { notice: Notice }) {
  return (
    <article class="message" data-testid="notice-message">
      <p class="hint">
        {day(notice.run_on)} · {named("action", notice.action)} · <TierChip tier={notice.tier} />
        {notice.step ? ` · ${named("step", notice.step)}` : ""}
      </p>
      <dl class="facts">
        <dt>{t("office.collections.channels")}</dt>
        <dd data-testid="notice-channels">{notice.channels.map((channel) => named("channel", channel)).join(", ") || "—"}</dd>
        <dt>{t("office.collections.targets")}</dt>
        <dd data-testid="notice-targets">{notice.targets.join(", ") || "—"}</dd>
        <dt>{t("office.collections.subject")}</dt>
        <dd data-testid="notice-subject">{notice.subject ?? "—"}</dd>
      </dl>
      {notice.body ? (
        <pre class="message-body" data-testid="notice-body" lang={notice.locale === "en" ? "en" : "zh-CN"}>
          {notice.body}
        </pre>
      ) : null}
    </article>
  );
}
