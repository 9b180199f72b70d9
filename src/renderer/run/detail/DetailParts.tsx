// Pieces every kind of node detail uses: a titled section, an error shown as an error.
import type { ReactNode } from 'react';
import { RawText } from '../text/RawText';

export function DetailSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="detail-section">
      <h3>{title}</h3>
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
