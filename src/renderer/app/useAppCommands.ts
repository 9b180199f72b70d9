// App commands from both places they come from: the desktop menu (app.commanded, through
// subscribe(null)) and the keyboard in the page (see shortcuts.ts for why both never fire).
import { useEffect } from 'react';
import type { RlmApi } from '../../shared/api';
import type { AppCommand } from '../../shared/domain/app';
import { errorText } from '../api/errors';
import { requestFilePicker } from '../newRun/newRunStore';
import { useNav } from '../state/navStore';
import { isImportedRun } from '../state/openRunStore';
import { commandForKey, isMacPlatform } from './shortcuts';
import { showToast } from '../state/toastStore';

export function runCommand(api: RlmApi, command: AppCommand): void {
  const { route, go } = useNav.getState();
  switch (command) {
    case 'newRun':
      return go({ view: 'new' });
    case 'openFiles':
      requestFilePicker();
      return go({ view: 'new' });
    case 'settings':
      return go({ view: 'settings' });
    case 'runs':
      return go({ view: 'runs' });
    case 'stopRun':
      if (route.view !== 'run') return showToast('info', 'Open a run to stop it');
      // An imported run was never executed here: there is nothing to stop, and nothing to say.
      if (isImportedRun(route.runId)) return;
      api.call('runs.stop', { runId: route.runId }).catch((error: unknown) => showToast('error', `The run was not stopped: ${errorText(error)}`));
  }
}

export function useAppCommands(api: RlmApi): void {
  useEffect(() => {
    const mac = isMacPlatform(navigator.platform);
    const unsubscribe = api.subscribe(null, (event) => {
      if (event.type === 'app.commanded') runCommand(api, event.command);
    });
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return;
      const command = commandForKey(event, mac);
      if (!command) return;
      event.preventDefault();
      runCommand(api, command);
    };
    window.addEventListener('keydown', onKey);
    return () => {
      unsubscribe();
      window.removeEventListener('keydown', onKey);
    };
  }, [api]);
}
