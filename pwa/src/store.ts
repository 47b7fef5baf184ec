/** A value with subscribers, and the hook that follows one; shared by the field app and the office app. */
import { useEffect, useState } from "preact/hooks";

type Listener<T> = (value: T) => void;

/** A value with subscribers. */
export class Store<T> {
  private listeners = new Set<Listener<T>>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(value: T): void {
    this.value = value;
    for (const listener of this.listeners) listener(value);
  }
  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function useStore<T>(store: Store<T>): T {
  // Wrapped, so that a stored function (the update prompt's reload) is kept, not called as an updater.
  const [value, setValue] = useState(() => store.get());
  useEffect(() => {
    setValue(() => store.get());
    return store.subscribe((next) => setValue(() => next));
  }, [store]);
  return value;
}
