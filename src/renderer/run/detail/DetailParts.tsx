// Pieces every kind of node detail uses: a titled section, an error shown as an error.
import type { ReactNode } from 'react';
import { RawText } from '../text/RawText';

/** `action`: a button that acts on the section's content (e.g. "Fork from here"), beside its title. */
export function DetailSection({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="detail-section">
      {action ? (
        <div className="detail-section-head">
          <h3>{title}</h3>
          {action}
        </div>
      ) : (
        <h3>{title}</h3>
      )}
      {children}
    </section>
  );
}

export function ErrorBlock({ text }: { text: string }) {
  return (
    <div className="node-error" role="note" aria-label="Error">
      <strong>Error</strong>
      <RawText text={text} limitChars={4000} />
    </div>
  );
}
