/** A row's name where the list only has its id (customer, project, user, template). */
import { useName, type nameOf } from "../hooks";

export function NameOf({ kind, id }: { kind: Parameters<typeof nameOf>[0]; id: number | null | undefined }) {
  const name = useName(kind, id);
  return <>{id === null || id === undefined ? "—" : name}</>;
}
