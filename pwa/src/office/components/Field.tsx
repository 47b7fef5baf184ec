/** A labelled form field with the server's message for it (a 422's `errors.json.<field>`) shown beneath. */
import type { ComponentChildren } from "preact";

export function Field(props: { id: string; label: string; errors?: string[]; required?: boolean; hint?: string; children: ComponentChildren }) {
  const problem = props.errors?.length ? props.errors.join(" ") : null;
  return (
    <div class={`field${problem ? " field-invalid" : ""}`}>
      <label for={props.id}>
        {props.label}
        {props.required ? <span class="required" aria-hidden="true"> *</span> : null}
      </label>
      {props.children}
      {props.hint ? <span class="hint">{props.hint}</span> : null}
      {problem ? (
        <span class="field-error" id={`${props.id}-error`} role="alert" data-testid={`error-${props.id}`}>
          {problem}
        </span>
      ) : null}
    </div>
  );
}

/** The messages for a field and everything under it (`charge_lines.0.monthly_amount` under `charge_lines`). */
export function fieldErrors(fields: Record<string, string[]>, name: string): string[] | undefined {
  const found = Object.entries(fields)
    .filter(([key]) => key === name || key.startsWith(`${name}.`))
    .flatMap(([, messages]) => messages);
  return found.length ? found : undefined;
}
