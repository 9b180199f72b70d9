// A run's recording as replay and fork use it: a cache of model calls (DESIGN §11). For each RLM,
// in tree position, its steps in order — each turn with the messages as they were sent and the
// reply, each cell with its code and every host call it made in order with exactly what the code
// received (answers resolved from the nodes that hold them), its clock and Math.random values.
// Pure over a RunReader: it reads, it never writes.
import { ClockRecorder, clockValues, type ClockRecord } from '../../shared/clockRecord';
import type { ChatMessage, NodePayload, NodeRow, NodeStatus } from '../../shared/domain/node';
import { RECORDING_VERSION, type HostCallRecord } from '../../shared/domain/recording';
import type { CallKind, RandomPosition, SandboxEnvironment } from '../../shared/sandboxProtocol';
import { randomValues } from '../../shared/sandboxRandom';
import { userStoppedAnswer } from '../engine/liveRlms';

/** What recordingOf reads: RunReader's methods (a RunFileReader or the store's own reader). */
export interface RecordingSource {
  getRun(runId: string): { recording?: number; replayable?: boolean; replayableWhy?: string | null; seed: number } | null;
  getNodes(runId: string): NodeRow[];
  getPayload(runId: string, nodeId: number): NodePayload | null;
}

export interface RunRecording {
  runId: string;
  /** The recording's version (0: made before exact replay). */
  version: number;
  replayable: boolean;
  replayableWhy: string | null;
  /** Every RLM in tree order (pre-order: a parent before its children, children in the order they started). */
  rlms: RlmRecording[];
}

export interface RlmRecording {
  nodeId: number;
  /** Its place in the tree: the `seq` of each node on the path from the root RLM ([] for the root). */
  position: number[];
  depth: number;
  /** The cell whose code started it (null for the root). */
  parentCellId: number | null;
  query: string;
  /** Content hashes of its context's documents in the store. */
  documents: string[];
  model: string | null;
  /** Its sandbox's Math.random seed. */
  seed: number | null;
  environment: SandboxEnvironment | null;
  answer: string | null;
  status: NodeStatus;
  /** Turns and cells in the order they ran. */
  steps: Array<TurnRecording | CellRecording>;
}

export interface TurnRecording {
  kind: 'turn';
  nodeId: number;
  model: string | null;
  /** The whole conversation as it was sent: every earlier prompt and reply, then this turn's prompt. */
  messages: ChatMessage[];
  /** null when the call did not complete (`error` says why). */
  reply: string | null;
  /** The provider stopped the reply at the output cap it was sent (NodePayload.cutAtCap). */
  cutAtCap?: true;
  error: string | null;
  status: NodeStatus;
}

export interface CellRecording {
  kind: 'cell';
  nodeId: number;
  code: string;
  output: string;
  error: string | null;
  status: NodeStatus;
  /**
   * Date.now()/new Date() values the code read, compactly, as the sandbox replays them
   * (`clockReadings` lists them). Kept compact: a cell may read the clock ten million times.
   */
  clock: ClockRecord;
  /**
   * Where its Math.random values started and how many it drew, as the sandbox replays them
   * (`randomReadings` lists them); null when not recorded (before exact replay, a killed sandbox).
   */
  random: (RandomPosition & { count: number }) | null;
  /** Every host call in the order the code made it; null when the cell recorded none (before exact replay). */
  hostCalls: HostCallReplay[] | null;
  /**
   * Positions in `hostCalls` in the order the code received the results, one list per wake-up of
   * the sandbox; null when not known (the sandbox was killed, or before exact replay).
   */
  received: number[][] | null;
  /** Calls past the per-cell limit that were counted and not recorded: the cell is not exactly replayable. */
  cut: number;
}

export interface HostCallReplay {
  kind: CallKind;
  /** The call's request fingerprint (absent for a call refused inside the sandbox). */
  request: string | null;
  /** Resolved (true), rejected (false), or never answered (null: the cell ended first). */
  ok: boolean | null;
  /**
   * Exactly the text the sandbox received: the reply or child's answer, the error message, or for
   * a batch the JSON of its items (the code received the parsed array, `items`).
   */
  value: string | null;
  /** llm_query_batched: each item's text, in prompt order. */
  items: string[] | null;
  /** The node holding the details (an `llm` sub-call or a child `rlm`), when there is one. */
  node: number | null;
  /** Each batch item's node. */
  itemNodes: Array<number | null> | null;
  /** Refused inside the sandbox before it reached the host. */
  refused: boolean;
}

export function recordingOf(source: RecordingSource, runId: string): RunRecording | null {
  const run = source.getRun(runId);
  if (!run) return null;
  const nodes = source.getNodes(runId);
  const children = childrenByParent(nodes);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  // Read when needed and not kept: each node's payload is read once (a sub-call's when the call
  // that refers to it is resolved), and a run's payloads together can be far larger than memory.
  const payloadOf = (id: number): NodePayload => source.getPayload(runId, id) ?? {};
  const rlms: RlmRecording[] = [];
  // Iterative pre-order walk: a chain of thousands of nested RLMs must not overflow the stack.
  const stack: Array<{ node: NodeRow; position: number[]; parentCellId: number | null }> = [];
  for (const root of [...(children.get(null) ?? [])].reverse()) stack.push({ node: root, position: [], parentCellId: null });
  while (stack.length > 0) {
    const { node, position, parentCellId } = stack.pop()!;
    if (node.kind !== 'rlm') continue;
    const payload = payloadOf(node.id);
    const recording: RlmRecording = {
      nodeId: node.id,
      position,
      depth: node.depth,
      parentCellId,
      query: payload.query ?? node.label,
      documents: payload.documents ?? [],
      model: node.model,
      seed: payload.seed ?? null,
      environment: payload.environment ?? null,
      answer: payload.answer ?? null,
      status: node.status,
      steps: [],
    };
    rlms.push(recording);
    const later: typeof stack = [];
    const conversation: ChatMessage[] = [];
    for (const step of children.get(node.id) ?? []) {
      if (step.kind === 'llm') {
        const turn = turnOf(step, payloadOf(step.id), conversation);
        recording.steps.push(turn);
        if (turn.reply !== null) conversation.push(...turn.messages.slice(conversation.length), { role: 'assistant', content: turn.reply });
      } else if (step.kind === 'cell') {
        recording.steps.push(cellOf(step, payloadOf(step.id), (id) => resolveNode(byId.get(id), payloadOf(id))));
        // Children started by this cell's code, in the order they started.
        for (const child of children.get(step.id) ?? []) {
          if (child.kind === 'rlm') later.push({ node: child, position: [...position, step.seq, child.seq], parentCellId: step.id });
        }
      }
    }
    for (const child of later.reverse()) stack.push(child);
  }
  const version = run.recording ?? 0;
  return {
    runId,
    version,
    replayable: run.replayable ?? version === RECORDING_VERSION,
    replayableWhy: run.replayableWhy ?? null,
    rlms,
  };
}

function childrenByParent(nodes: readonly NodeRow[]): Map<number | null, NodeRow[]> {
  const children = new Map<number | null, NodeRow[]>();
  for (const node of nodes) {
    const list = children.get(node.parentId);
    if (list) list.push(node);
    else children.set(node.parentId, [node]);
  }
  for (const list of children.values()) list.sort((a, b) => a.seq - b.seq);
  return children;
}

function turnOf(node: NodeRow, payload: NodePayload, conversation: readonly ChatMessage[]): TurnRecording {
  const completed = node.status === 'completed' && payload.text !== undefined;
  return {
    kind: 'turn',
    nodeId: node.id,
    model: node.model,
    messages: [...conversation, ...(payload.prompt ?? [])],
    reply: completed ? (payload.text ?? '') : null,
    ...(payload.cutAtCap ? { cutAtCap: true as const } : {}),
    error: payload.error ?? null,
    status: node.status,
  };
}

/** The text a node gave the code that called it: a sub-call's reply, a child RLM's answer. */
function resolveNode(node: NodeRow | undefined, payload: NodePayload): string | null {
  if (!node) return null;
  if (node.kind === 'llm') return payload.text ?? null;
  if (node.kind === 'rlm') return payload.answer ?? (stoppedByUser(node, payload) ? userStoppedAnswer(node.id) : null);
  return null;
}

/** A child RLM the user stopped alone: its parent's code received a string saying so (liveRlms.ts). */
function stoppedByUser(node: NodeRow, payload: NodePayload): boolean {
  return node.status === 'stopped' && payload.stopReason === 'user' && node.parentId !== null;
}

function cellOf(node: NodeRow, payload: NodePayload, textOf: (nodeId: number) => string | null): CellRecording {
  const recorded = payload.hostCalls;
  const random = payload.random && payload.randomDraws !== undefined ? { ...payload.random, count: payload.randomDraws } : null;
  return {
    kind: 'cell',
    nodeId: node.id,
    code: payload.code ?? '',
    output: payload.output ?? '',
    error: payload.error ?? null,
    status: node.status,
    clock: payload.clockRecord ?? (payload.clock ? compactClock(payload.clock) : { runs: [], reads: 0 }),
    random,
    hostCalls: recorded ? recorded.calls.map((call) => hostCallOf(call, textOf)) : null,
    received: recorded?.received ?? null,
    cut: recorded?.cut ?? 0,
  };
}

function hostCallOf(call: HostCallRecord, textOf: (nodeId: number) => string | null): HostCallReplay {
  const base = {
    kind: call.kind,
    request: call.request ?? null,
    ok: call.ok ?? null,
    node: call.node ?? null,
    refused: call.refused === true,
    items: null,
    itemNodes: null,
  };
  if (call.value !== undefined || call.ok !== true) {
    // A batch kept whole (an item had no node): the code received the parsed array.
    const items = call.ok === true && call.kind === 'llm_batched' && call.value !== undefined ? batchItems(call.value) : null;
    return { ...base, value: call.value ?? null, items };
  }
  if (call.items) {
    const items = call.items.map((item) => (typeof item === 'number' ? (textOf(item) ?? '') : item.text));
    const itemNodes = call.items.map((item) => (typeof item === 'number' ? item : (item.node ?? null)));
    return { ...base, value: JSON.stringify(items), items, itemNodes };
  }
  return { ...base, value: call.node !== undefined ? textOf(call.node) : null };
}

function batchItems(json: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** The clock values a cell read, in order (at most `limit`). */
export function clockReadings(cell: CellRecording, limit = Infinity): number[] {
  return clockValues(cell.clock, limit);
}

/**
 * The Math.random values a cell received, in order (at most `limit`: the recorded count comes
 * from the sandbox process and is not trusted to be small); null when not recorded.
 */
export function randomReadings(rlm: RlmRecording, cell: CellRecording, limit = 1_000_000): number[] | null {
  if (!cell.random || rlm.seed === null) return null;
  return randomValues(rlm.seed, cell.random, Math.min(cell.random.count, limit));
}

/** A clock recorded before issue 9 (every value), in the compact form the sandbox replays. */
function compactClock(values: readonly number[]): ClockRecord {
  const recorder = new ClockRecorder(Number.MAX_SAFE_INTEGER);
  for (const value of values) recorder.read(value);
  return recorder.record;
}
