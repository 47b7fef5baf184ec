/** A select over a list of choices with an empty first choice ("All", "Choose…"); the value is a string. */
import type { Option } from "./Options";

export function Choose(props: {
  id?: string;
  testId?: string;
  value: string;
  options: Option[];
  empty: string;
  disabled?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <select
      id={props.id}
      data-testid={props.testId}
      value={props.value}
      disabled={props.disabled}
      onChange={(event) => props.onChange((event.target as HTMLSelectElement).value)}
    >
      <option value="">{props.empty}</option>
      {props.options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

/** Codes as choices, each labelled in the user's language. */
export function choices(values: string[], text: (value: string) => string): Option[] {
  return values.map((value) => ({ value, label: text(value) }));
}
