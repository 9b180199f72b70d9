// A cell's host calls as the sandbox saw them, turned into what the cell's payload records
// (shared/domain/recording.ts, DESIGN §11). Pure. An answer a node already stores is referred to
// by the node's id, so a cell of a thousand sub-calls records a few bytes per call, not the replies.
import type { BatchItemRecord, HostCallRecord, HostCalls } from '../../shared/domain/recording';
import type { MadeCall } from '../sandbox/host/cellHostCalls';
import type { CellCalls } from '../sandbox/host/cellResult';

export function hostCallsOf(calls: CellCalls): HostCalls {
  const records: HostCallRecord[] = [];
  const position = new Map<number, number>();
  const refused = calls.trace?.refused ?? [];
  // What the code received is the sandbox's word: an answer sent after the cell had settled, or
  // still queued when it ended, never reached the code, whatever the host sent (unknown past a cut).
  const received = calls.trace && calls.trace.cut === 0 ? new Set(calls.trace.received.flat()) : null;
  let next = 0;
  for (const made of calls.made) {
    // A refusal inside the sandbox took no id: it came before the call that got the next one.
    for (; next < refused.length && (refused[next]?.at ?? 0) <= made.callId; next++) records.push(refusedRecord(refused[next]!));
    position.set(made.callId, records.length);
    records.push(madeRecord(received === null || received.has(made.callId) ? made : { ...made, result: undefined }));
  }
  for (; next < refused.length; next++) records.push(refusedRecord(refused[next]!));
  const order = calls.trace ? calls.trace.received.map((group) => group.flatMap((callId) => position.get(callId) ?? [])) : null;
  const cut = (calls.trace?.cut ?? 0) + (calls.madeCut ?? 0);
  return { calls: records, received: order, ...(cut > 0 ? { cut } : {}) };
}

function refusedRecord(refusal: { kind: HostCallRecord['kind']; error: string }): HostCallRecord {
  return { kind: refusal.kind, refused: true, ok: false, value: refusal.error };
}

function madeRecord(made: MadeCall): HostCallRecord {
  const { kind, request, link, result } = made;
  const record: HostCallRecord = { kind, request, ...(link.node !== undefined ? { node: link.node } : {}) };
  if (!result) return record;
  record.ok = result.ok;
  if (!result.ok) return { ...record, value: result.value };
  if (kind === 'llm_batched') {
    const items = batchItems(link.items);
    return items ? { ...record, items } : { ...record, value: result.value };
  }
  // Answered from a node (a reply, a child's answer): the node holds the text.
  return link.node !== undefined ? record : { ...record, value: result.value };
}

/** Each item's node, or its error text; null when an item has neither (then the whole value is kept). */
function batchItems(items: CallLinkItems | undefined): BatchItemRecord[] | null {
  if (!items) return null;
  const records: BatchItemRecord[] = [];
  for (const item of items) {
    if (!item) return null;
    if (item.error === undefined) {
      if (item.node === undefined) return null;
      records.push(item.node);
    } else {
      records.push(item.node === undefined ? { text: item.error } : { node: item.node, text: item.error });
    }
  }
  return records;
}

type CallLinkItems = NonNullable<MadeCall['link']['items']>;
