// Where files and folders come in: dropped (folders walked through their entries) or picked
// with "Add files" / "Add folder". A pending Ctrl+O opens the file picker once this shows.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { RlmApi } from '../../shared/api';
import { errorText } from '../api/errors';
import { showToast } from '../state/toastStore';
import { UploadIcon } from '../common/icons';
import { addSources } from './inputQueue';
import { useNewRun } from './newRunStore';
import { groupPicked, takeDropped } from './pickedFiles';

function openPicker(input: HTMLInputElement): void {
  input.focus();
  // Without a user gesture (a menu command) the browser refuses; the focused button is then one key away.
  try {
    input.showPicker();
  } catch {
    /* refused: focus stays on "Add files" */
  }
}

export function DropZone({ api }: { api: RlmApi }) {
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [dragDepth, setDragDepth] = useState(0);
  const pickerRequested = useNewRun((s) => s.pickerRequested);

  useEffect(() => {
    if (folderRef.current) folderRef.current.webkitdirectory = true;
  }, []);
  useEffect(() => {
    if (!pickerRequested || !filesRef.current) return;
    useNewRun.setState({ pickerRequested: false });
    openPicker(filesRef.current);
  }, [pickerRequested]);

  const onPicked = (input: HTMLInputElement) => {
    const files = Array.from(input.files ?? []);
    addSources(api, groupPicked(files.map((file) => ({ file, relativePath: file.webkitRelativePath }))));
    input.value = ''; // the same file can be picked again after a remove
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragDepth(0);
    const taken = takeDropped(event.dataTransfer);
    Promise.all(taken)
      .then((sources) => addSources(api, sources))
      .catch((error: unknown) => showToast('error', `The dropped items could not be read: ${errorText(error)}`));
  };

  const dragging = dragDepth > 0;
  return (
    <div
      className={`drop-zone${dragging ? ' is-dragging' : ''}`}
      onDragEnter={(e) => {
        e.preventDefault();
        setDragDepth((d) => d + 1);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => setDragDepth((d) => Math.max(0, d - 1))}
      onDrop={onDrop}
    >
      <UploadIcon size={24} />
      <p className="drop-zone-title">{dragging ? 'Drop to add' : 'Drop files or folders here'}</p>
      <div className="drop-zone-buttons">
        <input ref={filesRef} id="add-files" className="visually-hidden" type="file" multiple onChange={(e) => onPicked(e.currentTarget)} />
        <label htmlFor="add-files" className="button">
          Add files
        </label>
        <input ref={folderRef} id="add-folder" className="visually-hidden" type="file" onChange={(e) => onPicked(e.currentTarget)} />
        <label htmlFor="add-folder" className="button">
          Add folder
        </label>
      </div>
      <p className="muted small">Text files only, up to 4 GB each</p>
    </div>
  );
}
