/** A checklist as the inspector reads it: its title in their language, item labels, progress and N/A. */
import type { Language } from "./i18n";

export interface ChecklistItem {
  key: string;
  label_zh: string | null;
  label_en: string | null;
  kind: "pass_fail" | "number" | "text" | "photo";
  required: boolean;
  number_min: string | null;
  number_max: string | null;
  number_unit: string | null;
  position: number;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** "办公单元巡检 Office unit inspection" → its Chinese and English halves (split at the first Latin letter after CJK text). */
export function splitBilingual(name: string): { zh: string; en: string } | null {
  const cjk = name.search(CJK);
  if (cjk < 0) return null;
  const latin = name.slice(cjk).search(/[A-Za-z]/);
  if (latin < 0) return null;
  const at = cjk + latin;
  const zh = name.slice(0, at).trim();
  const en = name.slice(at).trim();
  return zh && en ? { zh, en } : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value.trim() : null;
}

/** The checklist's title in `language`: `title_zh`/`title_en`, else its bilingual name split, else the name. */
export function checklistTitle(checklist: Record<string, unknown>, language: Language): string {
  const own = text(language === "zh-CN" ? checklist.title_zh : checklist.title_en);
  if (own) return own;
  const other = text(language === "zh-CN" ? checklist.title_en : checklist.title_zh);
  const name = text(checklist.name) ?? "";
  const halves = splitBilingual(name);
  if (halves) return language === "zh-CN" ? halves.zh : halves.en;
  return name || other || String(checklist.code ?? "");
}

/** An item's label in `language`, the other language's as a fallback, else its key. */
export function itemLabel(item: ChecklistItem, language: Language): string {
  const [first, second] = language === "zh-CN" ? [item.label_zh, item.label_en] : [item.label_en, item.label_zh];
  return text(first) ?? text(second) ?? item.key;
}

/** An answer on the phone: a value (true/false, a number or text as typed), "not applicable", photos. */
export interface Answer {
  value?: boolean | string;
  na?: boolean;
  photos: { sha256: string }[];
}

export function isAnswered(item: ChecklistItem, answer: Answer | undefined): boolean {
  if (!answer) return false;
  if (answer.na && !item.required) return true;
  if (item.kind === "photo") return answer.photos.length > 0;
  return answer.value !== undefined && answer.value !== "";
}

/** How many of the items are answered, of how many. */
export function progressOf(items: ChecklistItem[], answers: Record<string, Answer>): { answered: number; total: number } {
  return { answered: items.filter((item) => isAnswered(item, answers[item.key])).length, total: items.length };
}
