// A call can be cancelled by its caller (DESIGN.md §2): the caller passes an AbortSignal, the
// transport carries the cancel to the other side, and the handler there gets a signal of its own.
// Declared structurally: the shared code compiles without DOM or Node typings, and the browser's
// AbortSignal and Node's both fit.

export interface AbortSignalLike {
  readonly aborted: boolean;
  /** Why it was aborted: by default a DOMException named AbortError. */
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallOptions {
  /** Aborting it rejects the call at once (with the signal's reason) and cancels it on the other side. */
  signal?: AbortSignalLike;
}

// Both the browser and Node (17+) have DOMException; its type is in neither's absence here.
const { DOMException: DomException } = globalThis as unknown as { DOMException: new (message: string, name: string) => Error };

/** What an aborted call rejects with: the signal's reason, as fetch does, or an AbortError. */
export function abortReason(signal: AbortSignalLike | undefined): unknown {
  return signal?.reason ?? new DomException('the call was cancelled', 'AbortError');
}

/** The error of a call cancelled by its caller, whichever reason it was given. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
