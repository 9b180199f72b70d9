// Import of the reference Python library's JSONL trajectory logs (DESIGN §9): a pure core with
// no store and no UI. `readRlmsLog` reads a stream; `RlmsLogReader` takes parsed records.
export { readRlmsLog, streamRlmsLog, RlmsLogError, type ReadRlmsLogOptions, type RlmsLogErrorCode, type RlmsLogProgress } from './readRlmsLog';
export { RlmsLogReader, type RlmsLogReaderOptions } from './rlmsLogReader';
export { readLines, MAX_LINE_CHARS, type LogLine } from './lineReader';
export { walkNodes, type VisitedNode } from './walk';
export type * from './types';
