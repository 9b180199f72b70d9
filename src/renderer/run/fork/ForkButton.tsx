// "Fork from here" on a model call or a cell: shown for native runs, pressable once the run has
// ended with a complete recording; otherwise disabled, its tooltip saying why (forkRules.ts).
import type { ForkOffer } from './forkRules';
import './fork.css';

/** `focus`: take the focus when shown (only ever after the user cancelled the editor it opened). */
export function ForkButton({ offer, focus = false, onFork }: { offer: ForkOffer; focus?: boolean; onFork(): void }) {
  if (!offer.shown) return null;
  return (
    <button type="button" className="fork-button" disabled={!offer.enabled} title={offer.title} autoFocus={focus} onClick={onFork}>
      Fork from here
    </button>
  );
}
