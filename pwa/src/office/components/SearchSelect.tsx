/** Choose one row of a long list (customers, assets) by typing: the server searches, the user picks. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { query, type Params } from "./DataGrid";

export interface Choice {
  id: number;
  label: string;
}

export function SearchSelect(props: {
  id: string;
  endpoint: string;
  params?: Params;
  label: (row: Record<string, unknown>) => string;
  value: Choice | null;
  onChange: (choice: Choice | null) => void;
  invalid?: boolean;
  testId?: string;
}) {
  const [text, setText] = useState("");
  const [rows, setRows] = useState<Choice[]>([]);
  const paramsKey = JSON.stringify(props.params ?? {});
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<Record<string, unknown>[]>(props.endpoint + query({ ...(props.params ?? {}), q: text, page_size: 20 }), {
        signal: controller.signal,
      })
        .then((found) => setRows(found.map((row) => ({ id: Number(row.id), label: props.label(row) }))))
        .catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, props.endpoint, paramsKey]);
  return (
    <div class="search-select">
      <input
        type="search"
        id={`${props.id}-search`}
        aria-label={t("office.filter.search")}
        placeholder={t("office.filter.typeToSearch")}
        value={text}
        onInput={(event) => setText((event.target as HTMLInputElement).value)}
      />
      <select
        id={props.id}
        data-testid={props.testId}
        aria-invalid={props.invalid || undefined}
        value={props.value ? String(props.value.id) : ""}
        onChange={(event) => {
          const id = Number((event.target as HTMLSelectElement).value);
          const picked = rows.find((row) => row.id === id) ?? (props.value?.id === id ? props.value : null);
          props.onChange(picked ?? null);
        }}
      >
        <option value="">{t("office.filter.choose")}</option>
        {props.value && !rows.some((row) => row.id === props.value!.id) ? (
          <option value={String(props.value.id)}>{props.value.label}</option>
        ) : null}
        {rows.map((row) => (
          <option key={row.id} value={String(row.id)}>
            {row.label}
          </option>
        ))}
      </select>
    </div>
  );
}
