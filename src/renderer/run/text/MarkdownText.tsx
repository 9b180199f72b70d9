// Model text as markdown. react-markdown renders raw HTML in the text as text (no
// rehype-raw): model output is user data, never markup for this page.
import { memo } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { bidiSafeRehype } from './BidiSafe';
import './markdown.css';

// Headings in a message sit under the detail pane's own (h2 node, h3 section): demoted by three
// levels, so a prompt's "## The REPL" does not break the pane's outline for screen readers.
const components: Components = {
  h1: ({ children }) => <h4>{children}</h4>,
  h2: ({ children }) => <h5>{children}</h5>,
  h3: ({ children }) => <h6>{children}</h6>,
  h4: ({ children }) => <h6>{children}</h6>,
  h5: ({ children }) => <h6>{children}</h6>,
  h6: ({ children }) => <h6>{children}</h6>,
  // The desktop shell opens external links in the browser (https only); never in this window.
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

const REHYPE = [bidiSafeRehype];

// Memoised: parsing markdown on every frame of a live run (the selected RLM's row changes with
// each roll-up) would cost more than everything else the frame does.
export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown components={components} rehypePlugins={REHYPE}>{text}</Markdown>
    </div>
  );
});
