/** A screen's filters in the address (so a link from Home, the back button and a reload keep them). */
import { useEffect, useState } from "preact/hooks";

export function useQueryState(keys: string[]): [Record<string, string>, (changes: Record<string, string>) => void] {
  const read = () => {
    const search = new URLSearchParams(location.search);
    return Object.fromEntries(keys.map((key) => [key, search.get(key) ?? ""]));
  };
  const [values, setValues] = useState<Record<string, string>>(read);
  useEffect(() => {
    const update = () => setValues(read());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  const change = (changes: Record<string, string>) => {
    const next = { ...values, ...changes };
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) search.set(key, value);
    const text = search.toString();
    history.replaceState(null, "", location.pathname + (text ? `?${text}` : ""));
    setValues(next);
  };
  return [values, change];
}
