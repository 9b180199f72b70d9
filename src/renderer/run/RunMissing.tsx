// A run id that names no run (a stale link, a bookmark, a run deleted elsewhere): say so, and
// offer the way back to the list. The link takes the focus, so Enter goes back at once.
import { useEffect, useRef } from 'react';
import { routeHash } from '../state/navStore';

export function RunMissing({ runId }: { runId: string }) {
  const back = useRef<HTMLAnchorElement>(null);
  useEffect(() => back.current?.focus(), []);
  return (
    <div className="run-view">
      <section className="screen-message run-missing" role="alert" aria-labelledby="run-missing-title">
        <h1 id="run-missing-title">Run not found</h1>
        <p>
          There is no run <code className="run-missing-id">{runId}</code>. It may have been deleted, or the link is out of date.
        </p>
        <a ref={back} className="button" href={routeHash({ view: 'runs' })}>
          Back to runs
        </a>
      </section>
    </div>
  );
}
