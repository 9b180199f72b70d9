// The largest reply a model call may bring back. A model's reply is tokens of text: the longest
// output any provider offers (128k tokens) is well under a megabyte. A server that sends far more
// — a local server looping past the output cap it was sent, a proxy that answers with a file —
// would otherwise grow one string until the process runs out of memory, and retry it. Past the
// limit the reply is refused at once, as a fault of the provider that a retry would not mend.

/** Bytes of a reply asked for whole (its JSON), and characters of a streamed reply's text. */
export const MAX_REPLY_BYTES = 32 * 2 ** 20;

/**
 * Bytes of a streamed reply on the wire, framing included: each server-sent event wraps a token
 * or two in ~150 bytes of JSON, so a long reply of one token per event takes several times its
 * text. This bounds what the SDK buffers before any text is seen (one endless event).
 */
export const STREAM_BYTES_PER_REPLY_BYTE = 4;

export class ReplyTooLargeError extends Error {
  readonly code = 'REPLY_TOO_LARGE';

  /** `what` passed `limitBytes`: the reply (its text or JSON), or the stream it came in. */
  constructor(
    readonly limitBytes: number,
    what = 'the reply',
  ) {
    super(`${what} passed ${formatLimit(limitBytes)}`);
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

/**
 * The global fetch, with the body of each response cut off by a ReplyTooLargeError once more
 * than `maxBytes` of it has come (the streamed path's SDK reads the body as a web stream). The
 * body of an error status is read here, at most `errorBodyBytes` of it, as the whole path reads
 * it: the SDK would read it into its error's message and retry the call, catching the refusal.
 */
export function boundedFetch(maxBytes: number, errorBodyBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    if (response.ok) return withBody(response, counted(response.body, maxBytes, "the reply's stream (its events and their framing)"));
    let bytes: ArrayBuffer;
    try {
      bytes = await new Response(counted(response.body, errorBodyBytes, 'the reply')).arrayBuffer();
    } catch (error) {
      // An error status whose body does not decode (a proxy's damaged page) is still that status.
      if (replyTooLarge(error) || init?.signal?.aborted) throw error;
      bytes = new ArrayBuffer(0);
    }
    return withBody(response, bytes);
  };
}

function counted(body: ReadableStream<Uint8Array>, maxBytes: number, what: string): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new ReplyTooLargeError(maxBytes, what));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** `response` with another body. A constructed Response takes only statuses 200 to 599. */
function withBody(response: Response, body: BodyInit): Response {
  const usual = response.status >= 200 && response.status <= 599;
  const bounded = new Response(body, { status: usual ? response.status : 599, statusText: response.statusText, headers: response.headers });
  // What a constructed Response cannot be given; the SDK names the URL in its logs and errors.
  Object.defineProperty(bounded, 'url', { value: response.url });
  if (!usual) Object.defineProperty(bounded, 'status', { value: response.status });
  return bounded;
}

function formatLimit(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes.toLocaleString('en-US')} bytes`;
}
