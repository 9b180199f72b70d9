// What reading a large input before the first step says (the run.inputProgress event): the same
// words on the terminal (`rlmscope run`'s stderr) and in the page's run header.
import { formatBytes, percent } from './formatBytes';

export interface InputProgress {
  name: string;
  phase: 'checking' | 'storing';
  doneBytes: number;
  totalBytes: number;
}

/** `reading big.log: checked 512 MB of 1.0 GB (50%)`; the last of the stored pass says what comes next. */
export function inputProgressLine(event: InputProgress): string {
  const share = `${formatBytes(event.doneBytes)} of ${formatBytes(event.totalBytes)} (${percent(event.doneBytes, event.totalBytes)}%)`;
  const line = `reading ${event.name}: ${event.phase === 'checking' ? 'checked' : 'stored'} ${share}`;
  return event.phase === 'storing' && event.doneBytes >= event.totalBytes ? `${line}; the sandbox reads it next` : line;
}
