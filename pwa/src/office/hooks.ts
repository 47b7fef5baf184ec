/** Loading from the API inside a screen: the answer, the error, and a way to load again. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { errorText } from "./components/ErrorPanel";

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

/** A dialog's submission: busy while it runs, then done, or the server's field messages (a 422's), or one
 * message for the whole form. */
export function useSubmission(send: () => Promise<unknown>, onDone: () => void) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await send();
      setErrors({});
      setProblem(null);
      onDone();
    } catch (error) {
      const fielded = error instanceof ApiError && Object.keys(error.fields).length > 0;
      setErrors(fielded ? (error as ApiError).fields : {});
      setProblem(fielded ? null : errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return { errors, problem, busy, submit };
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
