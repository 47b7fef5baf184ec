/** The transient message after an action ("Queued") and the "update available" prompt. */
import { t } from "../i18n";
import { toast, updateReady, useStore } from "../state";

export function Toast() {
  const message = useStore(toast);
  if (!message) return null;
  return (
    <div class="toast" data-testid="toast" role="status" aria-live="polite">
      {message}
    </div>
  );
}

export function UpdatePrompt() {
  const reload = useStore(updateReady);
  if (!reload) return null;
  return (
    <div class="update" data-testid="update-available" role="alert">
      <span>{t("update.available")}</span>
      <button type="button" data-testid="update-reload" onClick={reload}>
        {t("update.reload")}
      </button>
    </div>
  );
}
