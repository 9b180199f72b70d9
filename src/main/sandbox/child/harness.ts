// The sandbox process: one per RLM, forked by the host (Node's child_process.fork or Electron's
// utilityProcess). It holds no secrets — its environment is explicit and minimal, every model
// call is made by the parent — and runs model-written code in a vm context built by prelude.js.
//
// SECURITY: this file is host code next to untrusted code. It never inspects, awaits,
// stringifies or iterates a value that came out of the context; it only reads primitives
// (checked with `typeof`) handed to `hostCall`, and returns primitives.
'use strict';
import vm from 'node:vm';
import { types } from 'node:util';
import preludeSource from './prelude.js?raw';
import type { CellCallTrace, CellDoneMessage, ContextSource, InitMessage, ParentMessage, RandomPosition, RunCellMessage } from '../../../shared/sandboxProtocol';
import { CALL_KINDS, CALL_LIMITS, CALL_NAMES, CELL_LIMITS, type CallKind } from '../../../shared/sandboxProtocol';
import { ClockRecorder, ClockReplay } from '../../../shared/clockRecord';
import { randomAt } from '../../../shared/sandboxRandom';
import { describeContext, loadContext } from './contextLoader';
import { createParentPort } from './parentPort';

const port = createParentPort();

// A rejection or exception that escapes model code carries a sandbox value: Node's default
// handlers would inspect it (running the model's custom inspect with the host's `inspect`,
// research/sandbox.md E7). Swallow both without touching the value.
process.on('unhandledRejection', () => undefined);
process.on('uncaughtException', () => undefined);

interface Delivery {
  id: number;
  ok: boolean;
  value: string;
}

interface Cell {
  id: number;
  budgetMs: number;
  workMs: number;
  outputLimit: number;
  output: string[];
  outputLength: number;
  dropped: number;
  final: string | null;
  /** '' for undefined, '=value' for a value, '!error' for an error. */
  settled: string | null;
  timedOut: boolean;
  hostError: string | null;
  clock: ClockRecorder;
  replayClock: ClockReplay | undefined;
  /** Draws go on from here: the live position, or a replayed cell's own. */
  random: RandomPosition;
  randomStart: RandomPosition;
  nextCallId: number;
  /** Calls waiting for their answer, with the characters each carried. */
  pending: Map<number, number>;
  pendingChars: number;
  deliveries: Delivery[];
  current: Delivery | null;
  pumpScheduled: boolean;
  /** What the code received and what was refused before reaching the host, for the recording (DESIGN §11). */
  trace: CellCallTrace;
  traced: number;
}

let context: vm.Context | null = null;
let contextParts: string[] = [];
let contextNames: string[] = [];
let contextIsArray = false;
let cell: Cell | null = null;
const pumpScript = new vm.Script('__rlm_pump()', { filename: 'rlmscope-pump' });

/** The one function model code can (indirectly) call. Never throws; takes and returns primitives. */
function hostCall(op: unknown, a: unknown, b: unknown): unknown {
  try {
    switch (op) {
      case 'print':
        if (cell && typeof a === 'string') appendOutput(cell, a);
        return undefined;
      case 'call':
        return startCall(a, b);
      case 'nextId':
        if (!cell || cell.deliveries.length === 0) return -1;
        cell.current = cell.deliveries.shift() ?? null;
        if (cell.current) traceReceived(cell, cell.current.id);
        return cell.current ? cell.current.id : -1;
      case 'nextOk':
        return cell?.current?.ok === true;
      case 'nextValue':
        return cell?.current?.value ?? '';
      case 'now':
        return now();
      case 'random':
        return drawRandom(cell ? cell.random : liveRandom);
      case 'final':
        if (cell && typeof a === 'string') cell.final = a;
        return undefined;
      case 'settled':
        if (cell && a === cell.id && typeof b === 'string' && cell.settled === null) cell.settled = b;
        return undefined;
      case 'contextCount':
        return contextParts.length;
      case 'contextIsArray':
        return contextIsArray;
      case 'contextPart':
        return typeof a === 'number' ? (contextParts[a] ?? '') : '';
      case 'contextName':
        return typeof a === 'number' ? (contextNames[a] ?? '') : '';
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function startCall(kind: unknown, payload: unknown): number | string {
  if (!cell) return 'no cell is running: await every llm_query/rlm_query inside the cell that makes it';
  if (typeof kind !== 'string' || !(CALL_KINDS as readonly string[]).includes(kind)) return 'unknown call';
  if (typeof payload !== 'string') return 'bad call payload';
  const chars = (n: number) => n.toLocaleString('en-US');
  if (payload.length > CALL_LIMITS.payloadChars) {
    return traceRefused(cell, kind as CallKind, `${CALL_NAMES[kind as CallKind]} was given ${chars(payload.length)} characters; one call may carry ${chars(CALL_LIMITS.payloadChars)}: pass smaller pieces`);
  }
  if (cell.pendingChars + payload.length > CALL_LIMITS.pendingChars) {
    // Depends on which earlier results have arrived: timing, so it must be recorded.
    return traceRefused(cell, kind as CallKind, `${CALL_NAMES[kind as CallKind]} refused: the calls of this block already waiting carry ${chars(cell.pendingChars)} characters (the limit is ${chars(CALL_LIMITS.pendingChars)}); await some of them first`);
  }
  const callId = cell.nextCallId++;
  cell.pending.set(callId, payload.length);
  cell.pendingChars += payload.length;
  port.send({ type: 'call', cellId: cell.id, callId, kind, payload });
  return callId;
}

/** A result the code is about to receive, in the current wake-up's list. */
function traceReceived(target: Cell, callId: number): void {
  if (target.traced >= CELL_LIMITS.hostCalls) {
    target.trace.cut++;
    return;
  }
  target.traced++;
  const groups = target.trace.received;
  const last = groups[groups.length - 1];
  if (last) last.push(callId);
}

function traceRefused(target: Cell, kind: CallKind, error: string): string {
  if (target.traced >= CELL_LIMITS.hostCalls) target.trace.cut++;
  else {
    target.traced++;
    target.trace.refused.push({ at: target.nextCallId, kind, error });
  }
  return error;
}

function now(): number {
  const t = cell?.replayClock?.next() ?? Date.now();
  return cell ? cell.clock.read(t) : t;
}

let randomSeed = 1;
/** Where the next live cell draws from (replayed cells draw from their recorded start instead). */
let liveRandom: RandomPosition = { epoch: 0, draws: 0 };

/** The next value of a stream (sandboxRandom.ts: a pure function of the seed and the position). */
function drawRandom(position: RandomPosition): number {
  const value = randomAt(randomSeed, position);
  position.draws++;
  return value;
}

function appendOutput(target: Cell, text: string): void {
  const room = target.outputLimit - target.outputLength;
  if (room <= 0) {
    target.dropped += text.length;
    return;
  }
  const kept = text.length <= room ? text : text.slice(0, room);
  target.output.push(kept);
  target.outputLength += kept.length;
  target.dropped += text.length - kept.length;
}

// ---- context ----------------------------------------------------------------------------------

function createSandboxContext(): void {
  const sandbox = vm.createContext(Object.create(null), {
    name: 'rlmscope-sandbox',
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  const setup: unknown = new vm.Script(preludeSource, { filename: 'rlmscope-prelude' }).runInContext(sandbox);
  if (typeof setup !== 'function') throw new Error('the sandbox prelude did not load');
  // Calling prelude functions is safe here: no model code has run in this context yet.
  const installContext: unknown = setup(hostCall);
  if (typeof installContext !== 'function') throw new Error('the sandbox prelude did not load');
  installContext();
  context = sandbox;
}

function init(message: InitMessage): void {
  try {
    const loaded = loadContext(message.context as ContextSource);
    contextParts = loaded.parts;
    contextNames = loaded.names;
    contextIsArray = loaded.isArray;
    randomSeed = message.seed >>> 0 || 1;
    liveRandom = { epoch: message.epoch, draws: 0 };
    createSandboxContext();
    const { timeZone, locale } = Intl.DateTimeFormat().resolvedOptions();
    port.send({ type: 'ready', context: describeContext(loaded, message.previewChars), environment: { timeZone, locale } });
  } catch (error) {
    port.send({ type: 'initFailed', error: hostErrorMessage(error) ?? 'the sandbox could not start' });
  }
}

// ---- cells ------------------------------------------------------------------------------------

function runCell(message: RunCellMessage): void {
  if (!context) {
    port.send(doneMessage(message.cellId, 'the sandbox is not ready'));
    return;
  }
  cell = {
    id: message.cellId,
    budgetMs: message.timeoutMs,
    workMs: 0,
    outputLimit: message.outputChars,
    output: [],
    outputLength: 0,
    dropped: 0,
    final: null,
    settled: null,
    timedOut: false,
    hostError: null,
    clock: new ClockRecorder(CELL_LIMITS.clockRuns),
    replayClock: message.clock ? new ClockReplay(message.clock) : undefined,
    random: message.random ? { ...message.random } : liveRandom,
    randomStart: message.random ? { ...message.random } : { ...liveRandom },
    nextCallId: 0,
    pending: new Map(),
    pendingChars: 0,
    deliveries: [],
    current: null,
    pumpScheduled: false,
    trace: { received: [], refused: [], cut: 0 },
    traced: 0,
  };
  let script: vm.Script;
  try {
    script = new vm.Script(message.script, { filename: `cell-${message.cellId}` });
  } catch (error) {
    // A compile error is created by the host's compiler, in the host realm: safe to read.
    finishCell(hostErrorMessage(error) ?? 'SyntaxError');
    return;
  }
  runSlice(script);
  afterSlice();
}

/** Runs model code (a cell, or the pump that resumes it) under what is left of the cell's budget. */
function runSlice(script: vm.Script): void {
  const active = cell;
  if (!active || !context) return;
  const remaining = active.budgetMs - active.workMs;
  if (remaining <= 0) {
    active.timedOut = true;
    return;
  }
  const started = performance.now();
  try {
    script.runInContext(context, { timeout: Math.max(1, Math.ceil(remaining)), displayErrors: false, breakOnSigint: false });
  } catch (error) {
    if (hostErrorCode(error) === 'ERR_SCRIPT_EXECUTION_TIMEOUT') active.timedOut = true;
    else active.hostError = hostErrorMessage(error) ?? 'the cell failed in an unexpected way';
  } finally {
    active.workMs += performance.now() - started;
  }
}

function afterSlice(): void {
  const active = cell;
  if (!active) return;
  if (active.timedOut) {
    finishCell(`TimeoutError: the cell used up its ${active.budgetMs} ms of sandbox time and was interrupted`);
  } else if (active.hostError !== null) {
    finishCell(active.hostError);
  } else if (active.settled !== null) {
    finishCell(null);
  } else if (active.pending.size === 0 && active.deliveries.length === 0) {
    finishCell('the cell is waiting for a promise that nothing will ever settle (there are no timers or events in the sandbox)');
  }
}

function finishCell(error: string | null): void {
  const active = cell;
  if (!active) return;
  let failure = error;
  let value = '';
  if (failure === null && active.settled !== null) {
    if (active.settled.startsWith('!')) failure = active.settled.slice(1);
    else if (active.settled.startsWith('=')) value = active.settled.slice(1);
  }
  // The value of a last expression is shown after what the cell printed, as in a notebook.
  if (value) appendOutput(active, value + '\n');
  const done = doneMessage(active.id, failure);
  // Sent on the next turn of the event loop, after Node has processed the promise rejections the
  // cell left behind: model code that runs there (a proxy on a rejected promise's prototype)
  // then still counts as this cell's, and a process wedged by it is blamed on this cell.
  setImmediate(() => port.send(done));
  cell = null;
}

function doneMessage(cellId: number, error: string | null): CellDoneMessage {
  const active = cell && cell.id === cellId ? cell : null;
  return {
    type: 'cellDone',
    cellId,
    output: active ? active.output.join('') : '',
    droppedChars: active ? active.dropped : 0,
    error: error === null ? null : cutError(error),
    timedOut: active ? active.timedOut : false,
    final: active && active.final !== null ? { answer: active.final } : null,
    clock: active ? active.clock.record : { runs: [], reads: 0 },
    random: active ? active.randomStart : { ...liveRandom },
    randomDraws: active ? active.random.draws - active.randomStart.draws : 0,
    calls: active ? { ...active.trace, received: active.trace.received.filter((group) => group.length > 0) } : { received: [], refused: [], cut: 0 },
    workMs: active ? Math.round(active.workMs) : 0,
  };
}

/** An error cut to what the protocol carries, saying so: the cell is kept, not lost for it. */
function cutError(error: string): string {
  if (error.length <= CELL_LIMITS.errorChars) return error;
  return `${error.slice(0, CELL_LIMITS.errorChars)}\n… [${(error.length - CELL_LIMITS.errorChars).toLocaleString('en-US')} more characters of this error not kept]`;
}

function deliver(cellId: number, callId: number, ok: boolean, value: string): void {
  const active = cell;
  const chars = active?.id === cellId ? active.pending.get(callId) : undefined;
  if (!active || chars === undefined) return;
  active.pending.delete(callId);
  active.pendingChars -= chars;
  active.deliveries.push({ id: callId, ok, value });
  if (active.pumpScheduled) return;
  active.pumpScheduled = true;
  // Results that arrive together are delivered in one pump.
  setImmediate(() => {
    if (cell !== active) return;
    active.pumpScheduled = false;
    active.trace.received.push([]);
    runSlice(pumpScript);
    afterSlice();
  });
}

// ---- host errors --------------------------------------------------------------------------------

/**
 * Reads `code` of an error only when it is a real error object with `code` as a plain data
 * property: never a getter or a proxy trap that model code could have planted.
 */
function hostErrorCode(error: unknown): unknown {
  if (!types.isNativeError(error)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(error, 'code');
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

/** The message of an error made by host code (our realm's prototypes); undefined otherwise. */
function hostErrorMessage(error: unknown): string | undefined {
  if (!types.isNativeError(error)) return undefined;
  const proto: unknown = Object.getPrototypeOf(error);
  const hostPrototypes: unknown[] = [Error.prototype, TypeError.prototype, RangeError.prototype, SyntaxError.prototype, ReferenceError.prototype];
  if (!hostPrototypes.includes(proto)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(error, 'message');
  const message = descriptor && 'value' in descriptor && typeof descriptor.value === 'string' ? descriptor.value : '';
  const nameDescriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(error) as object, 'name');
  const name = nameDescriptor && typeof nameDescriptor.value === 'string' ? nameDescriptor.value : 'Error';
  return message ? `${name}: ${message}` : name;
}

// ---- messages -----------------------------------------------------------------------------------

port.onMessage((message: ParentMessage) => {
  switch (message.type) {
    case 'init':
      init(message);
      break;
    case 'cell':
      runCell(message);
      break;
    case 'callResult':
      deliver(message.cellId, message.callId, message.ok, message.value);
      break;
    case 'ping':
      port.send({ type: 'pong', id: message.id });
      break;
    default:
      break;
  }
});
