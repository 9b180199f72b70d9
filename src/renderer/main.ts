// A placeholder page until the UI arrives: it shows that the desktop bridge answers by listing
// the runs in the database. Text only (textContent), never HTML: queries are user data.
import type { RunSummary } from '../shared/domain';
import { toErrorData } from '../shared/errors';

const root = document.getElementById('root');

function line(text: string, tag: 'h1' | 'p' | 'li' = 'p'): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function describeRuns(runs: RunSummary[]): HTMLElement[] {
  if (runs.length === 0) return [line('No runs yet.')];
  const list = document.createElement('ul');
  for (const run of runs) list.append(line(`${run.status} — ${run.query.slice(0, 120)}`, 'li'));
  return [line(`${runs.length} run${runs.length === 1 ? '' : 's'}:`), list];
}

async function show(): Promise<void> {
  if (!root) return;
  root.replaceChildren(line('RLMScope', 'h1'));
  const rlm = window.rlm;
  if (!rlm) {
    root.append(line('The desktop bridge is not available: this page was not opened by the RLMScope app.'));
    return;
  }
  const status = line('Loading runs…');
  root.append(status);
  try {
    const runs = await rlm.call('runs.list', {});
    status.replaceWith(...describeRuns(runs));
  } catch (error) {
    const { code, message } = toErrorData(error);
    status.textContent = `Could not list the runs (${code}): ${message}`;
  }
}

void show();
