// The largest reply a model call may bring back. A model's reply is tokens of text: the longest
// output any provider offers (128k tokens) is well under a megabyte. A server that sends far more
// — a local server looping past the output cap it was sent, a proxy that answers with a file —
// would otherwise grow one string until the process runs out of memory, and retry it. Past the
// limit the reply is refused at once, as a fault of the provider that a retry would not mend.

/** Bytes of a reply asked for whole (its JSON), and characters of a streamed reply's text. */
export const MAX_REPLY_BYTES = 32 * 2 ** 20;

export class ReplyTooLargeError extends Error {
  readonly code = 'REPLY_TOO_LARGE';

  constructor(readonly limitBytes: number) {
    super(`the reply passed ${formatLimit(limitBytes)}`);
    this.name = 'ReplyTooLargeError';
  }
}

/** The ReplyTooLargeError in an error's cause chain (the SDK wraps what its fetch throws). */
export function replyTooLarge(error: unknown): ReplyTooLargeError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof ReplyTooLargeError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function formatLimit(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes.toLocaleString('en-US')} bytes`;
}
