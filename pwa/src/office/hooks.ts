/** Loading from the API inside a screen: the answer, the error, and a way to load again. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api";

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GET `path` (nothing while it is null); a new path abandons the answer to the old one. */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(Boolean(path));
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!path) {
      setData(null);
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    api<T>(path, { signal: controller.signal })
      .then((value) => {
        setData(value);
        setError(null);
        setLoading(false);
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setLoading(false);
      });
    return () => controller.abort();
  }, [path, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data, error, loading, reload };
}

/** Names of the rows a page refers to (customers, projects, users), fetched once per id and kept. */
const names = new Map<string, Promise<string>>();

export function nameOf(kind: "customers" | "projects" | "users" | "contract-templates" | "regions", id: number | null | undefined): Promise<string> {
  if (id === null || id === undefined) return Promise.resolve("—");
  const key = `${kind}/${id}`;
  let found = names.get(key);
  if (!found) {
    found = api<{ name?: string; display_name?: string; code?: string }>(`/api/${kind}/${id}`)
      .then((row) => row.name ?? row.display_name ?? row.code ?? `#${id}`)
      .catch(() => `#${id}`);
    names.set(key, found);
  }
  return found;
}

export function useName(kind: Parameters<typeof nameOf>[0], id: number | null | undefined): string {
  const [value, setValue] = useState("…");
  useEffect(() => {
    let live = true;
    void nameOf(kind, id).then((name) => live && setValue(name));
    return () => {
      live = false;
    };
  }, [kind, id]);
  return value;
}

/** Forget the names (after a sign-out: the next user may see other rows). */
export function forgetNames(): void {
  names.clear();
}
