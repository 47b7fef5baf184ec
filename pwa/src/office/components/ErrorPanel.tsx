/** What went wrong, in words: a 403 or 404 says so plainly, a refusal gives the server's reason. */
import { ApiError, NetworkError } from "../../api";
import { useEffect } from "preact/hooks";
import { t } from "../../i18n";
import { sessionEnded } from "../session";

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("office.error.forbidden");
    if (error.status === 404) return t("office.error.notFound");
    if (error.status === 401) return t("office.error.signedOut");
    return error.message;
  }
  if (error instanceof NetworkError) return t("office.error.network");
  return error instanceof Error ? error.message : String(error);
}

export function ErrorPanel({ error }: { error: unknown }) {
  // The session ended (signed out elsewhere, revoked, timed out): back to the sign-in form.
  useEffect(() => {
    if (error instanceof ApiError && error.status === 401) sessionEnded();
  }, [error]);
  return (
    <div class="panel panel-error" role="alert" data-testid="error">
      {errorText(error)}
    </div>
  );
}
