// The tree label of a sub-call (`llm_query`): its prompt on one line. Code builds many prompts
// from one template (`'Summarise this part: ' + chunk`), so their first line is often the same
// and what tells them apart comes later. A long prompt keeps its start and its end; the tree then
// shows sibling calls from where they differ (src/renderer/run/tree/siblingLabels.ts). The whole
// prompt is in the node's payload; a label is a bounded preview (DESIGN §5).
import type { ChatMessage } from '../../shared/domain/node';

/** At most this long: the node index of a 100,000-node run carries every label. */
export const PROMPT_LABEL_CHARS = 200;
const HEAD_CHARS = 80;
const GAP = ' … ';
const TAIL_CHARS = PROMPT_LABEL_CHARS - HEAD_CHARS - GAP.length;
/**
 * Only this much of each end of the prompt is read (a prompt can be megabytes): enough for the
 * label even after folding long runs of whitespace.
 */
const WINDOW_CHARS = 4000;

const fold = (text: string) => text.replace(/\s+/g, ' ');

export function promptLabel(messages: readonly ChatMessage[]): string {
  const prompt = messages.at(-1)?.content ?? '';
  const whole = prompt.length <= WINDOW_CHARS * 2 ? fold(prompt).trim() : null;
  if (whole !== null && whole.length <= PROMPT_LABEL_CHARS) return whole;
  const head = fold(prompt.slice(0, WINDOW_CHARS)).trimStart().slice(0, HEAD_CHARS).trimEnd();
  return `${head}${GAP}${tailOf(prompt.slice(-WINDOW_CHARS))}`;
}

/**
 * The end of a prompt: as many whole lines from its end as fit. A prompt built as template +
 * '\n' + chunk then shows its chunk from the chunk's start, so that sibling calls line up and
 * differ at the same place; a last line too long for the label gives its last characters.
 */
function tailOf(end: string): string {
  const text = end.trimEnd();
  let tail = '';
  let from = text.length;
  while (from > 0) {
    const newline = text.lastIndexOf('\n', from - 1);
    const lines = fold(text.slice(newline + 1)).trim();
    if (lines.length > TAIL_CHARS) break;
    tail = lines;
    from = newline;
  }
  return tail !== '' ? tail : fold(text).slice(-TAIL_CHARS).trimStart();
}
