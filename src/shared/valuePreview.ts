// Values a run produced can be as long as V8 allows (issue 9: three 200 MiB answers in one
// runs.list made a WebSocket message no JavaScript string can hold, and killed the server).
// The store keeps them whole; lists, indexes, events and single messages carry previews of at
// most these sizes, with the true length beside them, and the whole value is read in pages
// (`runs.readValue`) or written out by `rlmscope show RUN --answer`.

/** Of the query, answer and error in runs.list (a list row shows a line or two). */
export const LIST_PREVIEW_CHARS = 1000;
/** Of a value in runs.get, run.finished and nodes.get: enough to read on screen, small enough for one message. */
export const SHOW_PREVIEW_CHARS = 1_000_000;
/** Of one page of `runs.readValue`. */
export const VALUE_PAGE_CHARS_MAX = 16 * 1024 * 1024;

/** The run fields that can be read whole, page by page. */
export const RUN_VALUE_FIELDS = ['query', 'answer', 'error'] as const;
export type RunValueField = (typeof RUN_VALUE_FIELDS)[number];

/** "12.3 MB": the size of a value of `chars` characters, for "N MB, download". */
export function describeSize(chars: number): string {
  if (chars < 1_000_000) return `${Math.max(1, Math.round(chars / 1000))} thousand characters`;
  return `${(chars / 1_000_000).toFixed(chars < 10_000_000 ? 1 : 0)} MB`;
}

/**
 * A payload with every string longer than `max` cut to its first `max` characters and a marker
 * saying how long it was. Iterative, over plain JSON data (what a payload is once parsed).
 */
export function capStrings<T>(value: T, max: number, marker: (chars: number) => string): T {
  const cut = (text: string) => `${text.slice(0, max)}${marker(text.length)}`;
  if (typeof value === 'string') return (value.length > max ? cut(value) : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  const root: unknown = Array.isArray(value) ? [...value] : { ...value };
  const stack: Array<Record<string, unknown> | unknown[]> = [root as Record<string, unknown>];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (typeof child === 'string') {
        if (child.length > max) node[key] = cut(child);
      } else if (typeof child === 'object' && child !== null) {
        const copy = Array.isArray(child) ? [...(child as unknown[])] : { ...(child as Record<string, unknown>) };
        node[key] = copy;
        stack.push(copy as Record<string, unknown>);
      }
    }
  }
  return root as T;
}

/** What follows a cut value: how long it was, and how to get the whole of it. */
export function cutMarker(chars: number): string {
  return `\n… [cut here: the whole value is ${chars.toLocaleString('en-US')} characters (${describeSize(chars)}); export the run or use \`rlmscope show RUN --answer\` for a run's answer]`;
}
