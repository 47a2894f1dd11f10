import { ATTR_LOGKIT_CATEGORY, type Category } from '../attributes.js';

/**
 * The file (a name, not a path) each documented category is written to by the
 * embedded default's file exporter. Records whose category is missing or not
 * listed here go to {@link DEFAULT_CATEGORY_FILE}.
 */
export const CATEGORY_FILES: Readonly<Record<Category, string>> = Object.freeze({
  user: 'user_interactions.jsonl',
  system: 'system_health.jsonl',
  tool: 'tool_executions.jsonl',
  llm: 'llm_calls.jsonl',
  security: 'security.jsonl',
  performance: 'performance.jsonl',
});

/** The file for records without a category or with a category of the user's own. */
export const DEFAULT_CATEGORY_FILE = 'app.jsonl';

/**
 * Maps a record's `logkit.category` attribute value to its file name, e.g.
 * `'user'` → `'user_interactions.jsonl'`; anything else (a non-string, a
 * missing value, an unknown category) → `'app.jsonl'`. Never throws.
 */
export function fileNameForCategory(category: unknown): string {
  // hasOwn keeps values such as 'toString' or '__proto__' from resolving
  // through the prototype to something that is not a file name.
  if (typeof category === 'string' && Object.hasOwn(CATEGORY_FILES, category)) {
    return CATEGORY_FILES[category as Category];
  }
  return DEFAULT_CATEGORY_FILE;
}

/** Records grouped by the category file each goes to, in first-seen order. */
export function groupByFile<R extends { readonly attributes: Readonly<Record<string, unknown>> }>(
  records: readonly R[],
): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const fileName = fileNameForCategory(record.attributes[ATTR_LOGKIT_CATEGORY]);
    const group = groups.get(fileName);
    if (group) group.push(record);
    else groups.set(fileName, [record]);
  }
  return groups;
}
