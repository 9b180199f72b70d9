// A reply (or an answer) the model wrote: raw by default, its fenced code highlighted in place
// with the fence lines kept. "Rendered" shows its prose as markdown, remembered per reply; the
// code stays code either way. Prompts, output and errors never get this switch (DESIGN §7).
import { Fragment, memo } from 'react';
import { bidiSafe } from './BidiSafe';
import { MarkdownText } from './MarkdownText';
import { CodeHighlight } from './CodeHighlight';
import { RawText } from './RawText';
import { useRendered } from './renderPrefs';
import { replySegments } from './replySegments';

export interface ReplyTextProps {
  text: string;
  /** Where the Rendered choice is remembered: run, node and part (`reply`, `answer`). */
  prefKey: string;
  limitChars?: number;
  limitLines?: number;
}

export function ReplyText({ text, prefKey, limitChars = 6000, limitLines = 80 }: ReplyTextProps) {
  const [rendered, setRendered] = useRendered(prefKey);
  return (
    <div className={`reply-text${rendered ? ' reply-rendered' : ''}`}>
      <div className="raw-tools">
        <button
          type="button"
          className="raw-toggle"
          aria-pressed={rendered}
          title={rendered ? 'Showing the prose as markdown; press to see the exact text' : 'Showing the exact text; press to render the prose as markdown'}
          onClick={() => setRendered(!rendered)}
        >
          Rendered
        </button>
      </div>
      <RawText
        text={text}
        limitChars={limitChars}
        limitLines={limitLines}
        render={(shown) => (rendered ? <RenderedReply text={shown} /> : <HighlightedText text={shown} />)}
      />
    </div>
  );
}

/** Text with its fenced code coloured; every character as it was. */
export const HighlightedText = memo(function HighlightedText({ text }: { text: string }) {
  return (
    <>
      {replySegments(text).map((segment, i) =>
        segment.kind === 'prose' ? (
          <Fragment key={i}>{bidiSafe(segment.text)}</Fragment>
        ) : (
          <code key={i} className="raw-code" data-language={segment.language}>
            <span className="raw-fence">{bidiSafe(segment.open)}</span>
            <CodeHighlight code={segment.code} />
            <span className="raw-fence">{bidiSafe(segment.close)}</span>
          </code>
        ),
      )}
    </>
  );
});

/** Prose as markdown, code as code (exact, highlighted). */
const RenderedReply = memo(function RenderedReply({ text }: { text: string }) {
  return (
    <span className="reply-rendered-body">
      {replySegments(text).map((segment, i) =>
        segment.kind === 'prose' ? (
          segment.text.trim() && <MarkdownText key={i} text={segment.text} />
        ) : (
          <code key={i} className="raw-code raw-code-block" data-language={segment.language}>
            <span className="raw-fence">{bidiSafe(segment.open)}</span>
            <CodeHighlight code={segment.code} />
            <span className="raw-fence">{bidiSafe(segment.close)}</span>
          </code>
        ),
      )}
    </span>
  );
});
