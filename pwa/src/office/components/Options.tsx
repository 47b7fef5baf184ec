/** Choices loaded from a list endpoint (projects, templates, customers, users) for selects and filters. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";

export interface Option {
  value: string;
  label: string;
}

const cache = new Map<string, Promise<Option[]>>();

/** Up to 500 rows of `endpoint`, labelled by `label` (a row's name and code by default). */
export function useOptions(endpoint: string | null, label?: (row: Record<string, unknown>) => string): Option[] {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    if (!endpoint) {
      setOptions([]);
      return;
    }
    let found = cache.get(endpoint);
    if (!found) {
      const separator = endpoint.includes("?") ? "&" : "?";
      found = api<Record<string, unknown>[]>(`${endpoint}${separator}page_size=500`).then((rows) =>
        rows.map((row) => ({
          value: String(row.id),
          label: label
            ? label(row)
            : [row.code, row.name ?? row.display_name ?? row.username].filter(Boolean).join(" · "),
        })),
      );
      found.catch(() => cache.delete(endpoint!));
      cache.set(endpoint, found);
    }
    let live = true;
    found.then((value) => live && setOptions(value)).catch(() => live && setOptions([]));
    return () => {
      live = false;
    };
  }, [endpoint]);
  return options;
}

export function forgetOptions(): void {
  cache.clear();
}
