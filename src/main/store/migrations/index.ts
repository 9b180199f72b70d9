// Every migration, in order. Add a file NNN-name.ts (with its own test) and append it here.
import type { Migration } from './migration';
import { migration as initial } from './001-initial';
import { migration as runDocuments } from './002-run-documents';
import { migration as applicationId } from './003-application-id';
import { migration as runOrigin } from './004-run-origin';
import { migration as runRecording } from './005-run-recording';
import { migration as runFork } from './006-run-fork';
import { migration as runSignals } from './007-run-signals';
import { migration as nodeIndexChunks } from './008-node-index-chunks';
import { migration as indexBaseTrigger } from './009-index-base-trigger';

export const migrations: readonly Migration[] = [initial, runDocuments, applicationId, runOrigin, runRecording, runFork, runSignals, nodeIndexChunks, indexBaseTrigger];
