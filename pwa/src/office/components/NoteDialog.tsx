/**
 * A dialog asking for one note about something (a flag dismissed, an audit task resolved, a reminder
 * acknowledged): what it is about, the note with the server's messages for it, a line for any other error,
 * and the action with a way out. The test ids start with `testId`: `-dialog`, `-summary`, `-error`, `-submit`.
 */
import type { ComponentChildren } from "preact";
import { t } from "../../i18n";
import { Dialog } from "./Dialog";
import { Field, fieldErrors } from "./Field";

export interface NoteField {
  /** The textarea's id and test id. */
  id: string;
  /** The name the API gives its messages under (`reason`, `note`). */
  name: string;
  label: string;
  hint: string;
  required?: boolean;
}

export function NoteDialog(props: {
  title: string;
  testId: string;
  /** The dialog's test id when it is not `<testId>-dialog`. */
  dialogTestId?: string;
  /** The hint line saying what the dialog is about. */
  summary?: ComponentChildren;
  /** A line under it (the thing's own description). */
  detail?: string;
  /** Anything else shown above the note. */
  children?: ComponentChildren;
  field: NoteField;
  value: string;
  onInput: (value: string) => void;
  submitLabel: string;
  errors: Record<string, string[]>;
  problem: string | null;
  busy: boolean;
  onSubmit: (event: Event) => void;
  onClose: () => void;
}) {
  const { field, errors } = props;
  return (
    <Dialog title={props.title} testId={props.dialogTestId ?? `${props.testId}-dialog`} onClose={props.onClose}>
      <form onSubmit={props.onSubmit} noValidate>
        {props.summary !== undefined ? (
          <p class="hint" data-testid={`${props.testId}-summary`}>
            {props.summary}
          </p>
        ) : null}
        {props.detail !== undefined ? <p>{props.detail}</p> : null}
        {props.children}
        <Field id={field.id} label={field.label} errors={fieldErrors(errors, field.name)} required={field.required} hint={field.hint}>
          <textarea
            id={field.id}
            data-testid={field.id}
            rows={3}
            value={props.value}
            aria-invalid={Boolean(errors[field.name]) || undefined}
            onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
        {props.problem ? (
          <p class="error" role="alert" data-testid={`${props.testId}-error`}>
            {props.problem}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" data-testid={`${props.testId}-submit`} disabled={props.busy}>
            {props.submitLabel}
          </button>
          <button type="button" onClick={props.onClose}>
            {t("office.reminders.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
