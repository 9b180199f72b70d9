// `rlmscope export RUN_ID --format rlmscope|otlp|rlms -o FILE` and `--otlp-endpoint URL`: reads
// the run through the read-only reader (DESIGN §2: reading runs writes nothing to the database)
// and writes the file whole or not at all — into a temp file beside the target, renamed over it
// only once the exporter finished, so a failed or killed export never leaves half a file.
import { InvalidArgumentError } from 'commander';
import { RlmError } from '../../shared/errors';
import { exporterFor, runOrNotFound, spansOfRun, type ExportFormat, type ExportSource } from '../interop/exporters';
import { pushOtlp } from '../interop/otlp/otlpPush';
import { isDatabaseFile, writeWhole } from '../interop/wholeFile';
import { defaultDatabasePath } from '../paths';
import { openRunReader } from '../store/runReader';
import type { CommandOutput } from './commandOutput';

/** Where the CLI's whole-file write lives now (its test imports it from here). */
export { writeWhole };

export interface ExportOptions {
  format?: ExportFormat;
  output?: string;
  otlpEndpoint?: string;
  otlpHeader?: string[];
  db?: string;
}

export async function exportCommand(runId: string, options: ExportOptions, out: CommandOutput): Promise<number> {
  if (!options.output && !options.otlpEndpoint) throw new RlmError('INVALID_INPUT', 'export: give -o FILE, --otlp-endpoint URL, or both');
  if (options.otlpEndpoint && !options.output && options.format && options.format !== 'otlp') {
    throw new RlmError('INVALID_INPUT', `export: --otlp-endpoint sends OTLP spans; --format ${options.format} needs -o FILE`);
  }
  const dbPath = options.db ?? defaultDatabasePath();
  const headers = headersOf(options.otlpHeader ?? []);
  const reader = openRunReader(dbPath);
  try {
    const source: ExportSource = { reader, documents: () => reader.documents() };
    // An unknown run is reported before any file is created.
    runOrNotFound(source, runId);
    if (options.output) {
      const format = options.format ?? 'rlmscope';
      const target = options.output;
      if (isDatabaseFile(dbPath, target)) throw new RlmError('INVALID_INPUT', `cannot write ${target}: it is the database being read`);
      const exporter = exporterFor(format);
      const bytes = await writeWhole(target, (stream) => exporter(source, runId, stream), { exitOnSignal: true });
      await out.stdout(`exported run ${runId} as ${format} to ${target} (${bytes.toLocaleString('en-US')} bytes)\n`);
    }
    if (options.otlpEndpoint) {
      const sent = await pushOtlp(spansOfRun(source, runId), { endpoint: options.otlpEndpoint, headers });
      await out.stdout(`sent ${sent.spans.toLocaleString('en-US')} spans of run ${runId} to ${options.otlpEndpoint} in ${sent.requests} request${sent.requests === 1 ? '' : 's'}\n`);
    }
    return 0;
  } finally {
    reader.close();
  }
}

/** `--otlp-header K=V` (repeatable), for commander: the value may hold '=' (base64 padding). */
export function otlpHeader(value: string, previous: string[] = []): string[] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected KEY=VALUE, such as Authorization=Basic cGs6c2s=');
  // Checked here, in one line: fetch refused them only at the send, as "could not reach the
  // endpoint", with the value's line breaks printed on the terminal.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value.slice(0, at).trim())) throw new InvalidArgumentError('the header name may hold only letters, digits and !#$%&\'*+.^_`|~-');
  if (/[\0\r\n]/.test(value)) throw new InvalidArgumentError('a header may not hold a line break');
  return [...previous, value];
}

function headersOf(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return headers;
}
