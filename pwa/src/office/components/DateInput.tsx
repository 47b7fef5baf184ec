/** A date field with a calendar that speaks the user's language (flatpickr); the value stays YYYY-MM-DD. */
import flatpickr from "flatpickr";
import { Mandarin } from "flatpickr/dist/l10n/zh";
import "flatpickr/dist/flatpickr.css";
import { useEffect, useRef } from "preact/hooks";
import { language } from "../../i18n";

export interface DateInputProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  describedBy?: string;
  testId?: string;
}

export function DateInput(props: DateInputProps) {
  const input = useRef<HTMLInputElement>(null);
  const picker = useRef<flatpickr.Instance | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  useEffect(() => {
    if (!input.current) return;
    const instance = flatpickr(input.current, {
      dateFormat: "Y-m-d",
      allowInput: true,
      locale: language() === "zh-CN" ? Mandarin : undefined,
      onChange: (_dates, text) => onChange.current(text),
      onClose: (_dates, text) => onChange.current(text),
    });
    picker.current = Array.isArray(instance) ? instance[0] : instance;
    return () => picker.current?.destroy();
  }, []);
  useEffect(() => {
    if (picker.current && picker.current.input.value !== props.value) picker.current.setDate(props.value || "", false);
  }, [props.value]);
  return (
    <input
      ref={input}
      id={props.id}
      data-testid={props.testId}
      placeholder="YYYY-MM-DD"
      autoComplete="off"
      aria-invalid={props.invalid || undefined}
      aria-describedby={props.describedBy}
      defaultValue={props.value}
      onInput={(event) => props.onChange((event.target as HTMLInputElement).value)}
    />
  );
}
