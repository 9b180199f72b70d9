// The importer's state machine: fed one parsed JSONL record at a time, it splits the file into
// runs and builds each run's tree. It holds the run in progress and the runs finished but not yet
// taken (takeRuns): a caller that takes them as they end holds one run at a time, not the file.
// Run boundaries (research/ref-rlm.md §3): the library writes one `metadata` record per logger,
// so several runs may share it; a run starts at a `metadata` record, at a `run_context` record
// (a modified library's), or where the iteration number stops increasing.
import { asRecord, describe, FieldReader, textOf } from './fields';
import { parseLogTimestamp } from './times';
import { newTally, type Tally } from './tally';
import { RlmBuilder } from './trajectory';
import type { ImportedRun, RlmsLogImport, RlmsLogWarning, RlmsRunContext, RlmsRunSettings } from './types';

/** A warning is one line a person reads: longer ones are cut (RlmsLogReader.warn). */
export const WARNING_MAX_CHARS = 500;

export interface RlmsLogReaderOptions {
  /** Read the log's zone-less timestamps as UTC rather than local time. */
  assumeUtc?: boolean;
  /** Where made-up times start when the log has no timestamp at all (epoch ms). */
  fallbackStartMs?: number;
  /** Warnings kept; the rest are counted. A broken file must not fill memory with them. */
  maxWarnings?: number;
}

/** A run_context record and when it was written (the run's start). */
type TimedContext = RlmsRunContext & { loggedAt: number | null };

interface RunInProgress {
  builder: RlmBuilder;
  tally: Tally;
  settings: RlmsRunSettings;
  context: RlmsRunContext | null;
  firstLine: number;
  lastLine: number;
  lastIteration: number | null;
}

const NO_SETTINGS: RlmsRunSettings = {
  rootModel: null,
  backend: null,
  backendKwargs: null,
  environmentType: null,
  environmentKwargs: null,
  maxDepth: null,
  maxIterations: null,
  otherBackends: null,
  loggedAt: null,
  line: null,
};

export class RlmsLogReader {
  private readonly warnings: RlmsLogWarning[] = [];
  private warningsDropped = 0;
  /** Runs ended and not yet taken, in file order. */
  private finished: ImportedRun[] = [];
  private runCount = 0;
  private readonly skippedTypes: Record<string, number> = {};
  private known = 0;
  private settings: RlmsRunSettings | null = null;
  /** The metadata record's time, until a run has used it as its start. */
  private unusedMetadataTime: number | null = null;
  private current: RunInProgress | null = null;
  private lastEnd: number | null = null;
  private line: number | null = null;
  private readonly maxWarnings: number;

  constructor(private readonly options: RlmsLogReaderOptions = {}) {
    this.maxWarnings = options.maxWarnings ?? 1000;
  }

  /** Records of a known type read so far (metadata, run_context, iteration). */
  get knownRecords(): number {
    return this.known;
  }

  warn(line: number | null, message: string): void {
    // A warning quotes the file (a record type's name, a field's path through nested children):
    // a type named with 100 MB, or children 10,000 deep, made one warning as long.
    // Cut in the middle: the line comes first and what is wrong often last.
    if (message.length > WARNING_MAX_CHARS) {
      const keep = (WARNING_MAX_CHARS - 40) / 2;
      message = `${message.slice(0, keep)} …[${(message.length - 2 * keep).toLocaleString('en-US')} characters]… ${message.slice(-keep)}`;
    }
    if (this.warnings.length < this.maxWarnings) this.warnings.push({ line, message });
    else this.warningsDropped++;
  }

  /** One parsed line of the log; `line` is its 1-based number. */
  feed(value: unknown, line: number): void {
    this.line = line;
    const record = asRecord(value);
    if (!record) {
      this.warn(line, `line ${line} holds ${describe(value)}, not a log record; skipped`);
      return;
    }
    const type = record['type'];
    if (type === 'metadata') {
      this.known++;
      this.closeRun();
      this.settings = this.readSettings(record, line);
      this.unusedMetadataTime = this.settings.loggedAt;
    } else if (type === 'run_context') {
      this.known++;
      this.closeRun();
      this.current = this.startRun(line, this.readContext(record, line));
    } else if (type === 'iteration') {
      this.known++;
      this.iteration(record, line);
    } else {
      const name = typeof type === 'string' ? type : '(none)';
      const seen = this.skippedTypes[name] ?? 0;
      this.skippedTypes[name] = seen + 1;
      if (seen === 0) this.warn(line, `line ${line}: records of type "${name}" are not known; skipped (all are counted)`);
    }
  }

  /**
   * The runs that have ended since the last call, in file order, and forgets them. A run ends at
   * the record that starts the next one (or at finish), so the one being read is never among them.
   */
  takeRuns(): ImportedRun[] {
    const runs = this.finished;
    this.finished = [];
    return runs;
  }

  /** Ends the last run; the result holds the runs not taken yet (every run if none were). */
  finish(): RlmsLogImport {
    this.closeRun();
    if (this.runCount === 0 && this.settings !== null) this.warn(this.settings.line, 'the log has a metadata record but no iterations');
    return {
      runs: this.takeRuns(),
      runCount: this.runCount,
      warnings: this.warnings,
      warningsDropped: this.warningsDropped,
      skippedTypes: { ...this.skippedTypes },
      knownRecords: this.known,
    };
  }

  private iteration(record: Record<string, unknown>, line: number): void {
    const number = typeof record['iteration'] === 'number' ? record['iteration'] : null;
    const current = this.current;
    if (current && number !== null && current.lastIteration !== null && number <= current.lastIteration) this.closeRun();
    const run = this.current ?? (this.current = this.startRun(line, null));
    if (number !== null) run.lastIteration = number;
    run.lastLine = line;
    run.builder.addIteration(record, '');
  }

  private startRun(line: number, context: TimedContext | null): RunInProgress {
    if (this.settings === null) {
      this.warn(line, `no metadata record before line ${line}: the run's model and limits are unknown`);
      this.settings = { ...NO_SETTINGS };
    }
    const settings = this.settings;
    const contextTime = context?.loggedAt ?? null;
    const startAt = contextTime ?? this.unusedMetadataTime ?? this.lastEnd ?? this.options.fallbackStartMs ?? 0;
    this.unusedMetadataTime = null;
    const tally = newTally();
    const report = (message: string) => this.warn(this.line, `line ${this.line}: ${message}`);
    const query = context?.rootPrompt ?? context?.prompt ?? null;
    const builder = new RlmBuilder(
      { report, assumeUtc: this.options.assumeUtc ?? false, tally },
      { depth: 0, model: settings.rootModel, query, startAt, maxIterations: settings.maxIterations },
    );
    return { builder, tally, settings, context: context && stripTime(context), firstLine: line, lastLine: line, lastIteration: null };
  }

  private closeRun(): void {
    const run = this.current;
    if (!run) return;
    this.current = null;
    const { builder, tally } = run;
    if (builder.iterations === 0) this.warn(run.firstLine, `the run starting at line ${run.firstLine} has no iterations`);
    const root = builder.finish();
    this.lastEnd = root.endedAt;
    this.finished.push({
      index: this.runCount++,
      firstLine: run.firstLine,
      lastLine: run.lastLine,
      settings: run.settings,
      context: run.context,
      query: root.payload.query ?? null,
      answer: builder.answer,
      status: builder.answer !== null ? 'completed' : 'interrupted',
      stopReason: builder.stopReason,
      totals: {
        iterations: builder.iterations,
        turns: tally.turns,
        codeBlocks: tally.codeBlocks,
        subCalls: tally.subCalls,
        childRlms: tally.childRlms,
        failedCalls: tally.failedCalls,
        maxDepthReached: tally.maxDepthReached,
        iterationSeconds: builder.iterationSeconds,
        ...tally.usage,
      },
      startedAt: root.startedAt,
      endedAt: root.endedAt,
      timesSynthesised: tally.timesSynthesised,
      root,
    });
  }

  private readSettings(record: Record<string, unknown>, line: number): RlmsRunSettings {
    const report = (message: string) => this.warn(line, `line ${line}: ${message}`);
    const fields = new FieldReader(record, 'metadata', report);
    const others = fields.array('other_backends', true);
    return {
      rootModel: fields.string('root_model'),
      backend: fields.string('backend'),
      backendKwargs: fields.record('backend_kwargs', true),
      environmentType: fields.string('environment_type'),
      environmentKwargs: fields.record('environment_kwargs', true),
      maxDepth: fields.number('max_depth'),
      maxIterations: fields.number('max_iterations'),
      otherBackends: others ? others.map((o) => textOf(o)) : null,
      loggedAt: parseLogTimestamp(fields.string('timestamp'), this.options.assumeUtc),
      line,
    };
  }

  private readContext(record: Record<string, unknown>, line: number): TimedContext {
    const report = (message: string) => this.warn(line, `line ${line}: ${message}`);
    const fields = new FieldReader(record, 'run_context', report);
    const prompt = record['prompt'];
    return {
      prompt: prompt === undefined || prompt === null ? null : textOf(prompt),
      rootPrompt: fields.string('root_prompt', true),
      sessionMode: fields.boolean('session_mode', true),
      environmentType: fields.string('environment_type', true),
      line,
      loggedAt: parseLogTimestamp(fields.string('timestamp', true), this.options.assumeUtc),
    };
  }
}

function stripTime(context: TimedContext): RlmsRunContext {
  const { loggedAt: _loggedAt, ...rest } = context;
  return rest;
}
