// The `documents` slice of the RlmApi: a run's input documents read by pages and searched, so an
// analyst can look at a 1 GB input without the page (or the service) ever holding it whole.
// Offsets are in bytes of the stored UTF-8 text: the store keeps bytes in 8 MiB chunks, and a
// byte offset finds its chunk by division, where a character offset would need a scan.
import { z } from 'zod';
import { runIdSchema } from '../schemas';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'not a document hash');

/** A page is at most 1 MiB: enough for a screen of text many times over, small for one message. */
export const DOCUMENT_PAGE_BYTES_MAX = 1024 * 1024;
/** Matches returned by one search call at most; the page asks again from the last one for more. */
export const DOCUMENT_MATCHES_MAX = 10_000;

export const documentReadSchema = z.strictObject({
  runId: runIdSchema,
  hash,
  offset: z.number().int().min(0),
  length: z.number().int().min(1).max(DOCUMENT_PAGE_BYTES_MAX),
});

export const documentSearchSchema = z.strictObject({
  runId: runIdSchema,
  hash,
  query: z.string().min(1, 'the search is empty').max(2000),
  /** The query is a JavaScript regular expression (else plain text). */
  regex: z.boolean().default(false),
  caseSensitive: z.boolean().default(false),
  /** Byte offset where the search starts (matches starting before it are not returned). */
  from: z.number().int().min(0).default(0),
  maxMatches: z.number().int().min(1).max(DOCUMENT_MATCHES_MAX).default(1000),
});

export const documentsMethods = {
  'documents.read': documentReadSchema,
  'documents.search': documentSearchSchema,
} as const;

/** Bytes [offset, end) of a document as text; both ends moved onto character boundaries. */
export interface DocumentPage {
  text: string;
  offset: number;
  end: number;
  /** The document's size in bytes. */
  bytes: number;
}

/** A match as byte offsets [start, end) into the document. */
export interface DocumentMatch {
  start: number;
  end: number;
}

export interface DocumentSearchResult {
  /** In document order, at most `maxMatches`. */
  matches: DocumentMatch[];
  /** There are more matches after the last one returned. */
  capped: boolean;
  /** The search ran out of time (a regex that backtracks without end, or a huge input). */
  timedOut: boolean;
  /** Every match that starts before this byte offset has been returned. */
  scannedTo: number;
  bytes: number;
}

export interface DocumentsResults {
  'documents.read': DocumentPage;
  'documents.search': DocumentSearchResult;
}
