// "Stop this RLM" and "Note to this RLM" (issue 13): acting on one branch of a live run from the
// detail pane of a running RLM. Stopping asks once, in one line, and ends that RLM with its subtree
// while the run goes on; a note is queued for the RLM's next turn. Each result or refusal is one
// line, which stays after the RLM has ended so that the reader sees how it went.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { RlmApi } from '../../../shared/api';
import { RLM_NOTE_CHARS_MAX } from '../../../shared/api/runs';
import { namedBidiControls } from '../../../shared/bidiControls';
import { errorText } from '../../api/errors';
import { isMacPlatform } from '../../common/shortcutLabel';
import { bidiSafe } from '../text/BidiSafe';

interface BranchActionsProps {
  api: RlmApi;
  runId: string;
  nodeId: number;
  /** The root is stopped with the whole run (the run's Stop), not here. */
  isRoot: boolean;
  /** The run is going and this RLM with it: the controls apply. */
  live: boolean;
}

type Outcome = { ok: boolean; text: string } | null;

const mac = typeof navigator !== 'undefined' && isMacPlatform(navigator.platform);

export function BranchActions({ api, runId, nodeId, isRoot, live }: BranchActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [stopOutcome, setStopOutcome] = useState<Outcome>(null);
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const [noteOutcome, setNoteOutcome] = useState<Outcome>(null);
  const mounted = useRef(true);
  // A ref as well as the state: two presses of Ctrl+Enter can both come before the re-render.
  const pending = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  // A note being written stays when the RLM ends meanwhile: sending it then says why it was not.
  const writing = note !== '';
  if (!live && !writing && stopOutcome === null && noteOutcome === null) return null;

  const stop = async () => {
    setConfirming(false);
    setStopping(true);
    try {
      await api.call('runs.stopRlm', { runId, nodeId });
      if (mounted.current) setStopOutcome({ ok: true, text: "Stopped, with everything under it; its parent's rlm_query gets an error saying so." });
    } catch (failure) {
      if (mounted.current) setStopOutcome({ ok: false, text: `Not stopped: ${errorText(failure)}` });
    } finally {
      if (mounted.current) setStopping(false);
    }
  };

  const send = async () => {
    const text = note.trim();
    if (pending.current || text === '') return;
    pending.current = true;
    setSending(true);
    try {
      await api.call('runs.noteRlm', { runId, nodeId, text });
      if (!mounted.current) return;
      setNote('');
      setNoteOutcome({ ok: true, text: 'Sent: delivered at its next turn.' });
    } catch (failure) {
      // Refused: said in one line, the text kept for another try.
      if (mounted.current) setNoteOutcome({ ok: false, text: `Not sent: ${errorText(failure)}` });
    } finally {
      pending.current = false;
      if (mounted.current) setSending(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (mac ? event.metaKey : event.ctrlKey)) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <section className="branch-actions" aria-label="Act on this RLM">
      {live && !isRoot && (
        <div className="branch-stop">
          {confirming ? (
            <>
              <span>Stop it and everything under it? The run goes on.</span>
              <button type="button" className="run-control run-control-stop" onClick={() => void stop()} autoFocus>
                Stop it
              </button>
              <button type="button" className="run-control" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="run-control run-control-stop" disabled={stopping} onClick={() => setConfirming(true)}>
              {stopping ? 'Stopping…' : 'Stop this RLM'}
            </button>
          )}
        </div>
      )}
      {stopOutcome && <OutcomeLine outcome={stopOutcome} label="Stop result" />}
      {(live || writing) && (
        <div className="branch-note">
          <label htmlFor={`branch-note-${nodeId}`}>Note to this RLM</label>
          <textarea
            id={`branch-note-${nodeId}`}
            value={note}
            maxLength={RLM_NOTE_CHARS_MAX}
            rows={2}
            placeholder="Read at its next turn, as a message from you"
            onChange={(event) => setNote(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <div className="branch-note-actions">
            <button type="button" className="run-control" disabled={sending || note.trim() === ''} onClick={() => void send()}>
              {sending ? 'Sending…' : 'Send'}
            </button>
            <span className="run-muted">{mac ? '⌘Enter' : 'Ctrl+Enter'} sends</span>
          </div>
        </div>
      )}
      {noteOutcome && <OutcomeLine outcome={noteOutcome} label="Note result" />}
    </section>
  );
}

/** One line; its whole text in the tooltip. */
function OutcomeLine({ outcome, label }: { outcome: NonNullable<Outcome>; label: string }) {
  return (
    <p className={outcome.ok ? 'branch-outcome' : 'branch-outcome branch-refused'} role={outcome.ok ? 'status' : 'alert'} aria-label={label} title={namedBidiControls(outcome.text)}>
      {bidiSafe(outcome.text)}
    </p>
  );
}
