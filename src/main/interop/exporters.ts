// The formats `rlmscope export` writes, by name. Every exporter has one shape: it reads the run
// through `source` (never a database opened for writing: DESIGN §2) and writes the whole export
// to `out`, a stream, so that an export larger than memory goes straight to its file. It does not
// end `out`: the caller owns the file and renames it into place only when the exporter resolved.
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { version } from '../../../package.json';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/api/interop';
import { RlmError } from '../../shared/errors';
import type { DocumentRanges } from '../store/documentRanges';
import type { RunReader } from '../store/runReader';
import { runSourceOver, type RunSource } from './exportSource';
import { writeOtlpJson } from './otlp/otlpFile';
import { runSpans } from './otlp/otlpSpans';
import { writePortable } from './portable';
import { writeRlmsLog } from './rlmsExport';

/** What an exporter may read: the run, its nodes and payloads, and its stored documents. */
export interface ExportSource {
  reader: RunReader;
  /** Byte ranges of the documents the run uses (`sizeFor(runId, hash)` says which). */
  documents(): DocumentRanges;
}

export type Exporter = (source: ExportSource, runId: string, out: Writable) => Promise<void>;

// Declared in the contract's interop slice, where the page's format menu reads them too.
export { EXPORT_FORMATS, type ExportFormat };

/** The run, or NOT_FOUND: every exporter starts here. */
export function runOrNotFound(source: ExportSource, runId: string) {
  const run = source.reader.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}`);
  return run;
}

/** The spans of a run, read node by node: at most one payload in memory at a time. */
export function spansOfRun(source: ExportSource, runId: string) {
  const run = runOrNotFound(source, runId);
  const nodes = source.reader.getNodes(runId);
  return runSpans(run, nodes, (nodeId) => source.reader.getPayload(runId, nodeId), { version });
}

const exportOtlp: Exporter = async (source, runId, out) => {
  await writeOtlpJson(spansOfRun(source, runId), out);
};

/**
 * A writer that ends the stream it is given (writePortable, writeRlmsLog) as an Exporter, which
 * must not: it writes into a pass-through whose end is not passed on to `out`.
 */
function leavingOutOpen(write: (source: RunSource, runId: string, out: NodeJS.WritableStream) => Promise<void>): Exporter {
  return async (source, runId, out) => {
    runOrNotFound(source, runId);
    const pass = new PassThrough();
    pass.pipe(out, { end: false });
    const drained = once(pass, 'end');
    // A writer that fails may destroy `pass` with its error: that rejection is the writer's own.
    drained.catch(() => undefined);
    // `out` closed or failed first (a browser download cancelled, a full disk): pipe() only
    // unpipes, which would leave the writer waiting for `pass` to drain forever.
    const gone = () => pass.destroy(out.errored ?? new Error('the export\'s destination was closed'));
    out.once('close', gone).once('error', gone);
    try {
      await write(runSourceOver(source.reader, source.documents()), runId, pass);
      await drained;
    } finally {
      out.off('close', gone).off('error', gone);
      pass.unpipe(out);
    }
  };
}

export const exporters: Record<ExportFormat, Exporter> = {
  rlmscope: leavingOutOpen((source, runId, out) => writePortable(source, runId, out, { appVersion: version })),
  otlp: exportOtlp,
  rlms: leavingOutOpen(writeRlmsLog),
};

export function isExportFormat(format: string): format is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(format);
}

export function exporterFor(format: string): Exporter {
  if (!isExportFormat(format)) throw new RlmError('INVALID_INPUT', `unknown export format "${format}": expected ${EXPORT_FORMATS.join(', ')}`);
  return exporters[format];
}
