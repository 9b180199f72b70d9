// Marks the database as RLMScope's (see ../applicationId.ts). A new file gets the mark with its
// first tables; a database made before the mark existed (user_version 1 or 2, our tables) gets
// it here, once. openDatabase refuses an unmarked file that does not look like ours before any
// migration runs, so this never marks someone else's file.
import { RLMSCOPE_APPLICATION_ID } from '../applicationId';
import type { Migration } from './migration';

export const migration: Migration = {
  version: 3,
  name: 'application-id',
  up(db) {
    // Written in the header like user_version, inside the migration's transaction.
    db.pragma(`application_id = ${RLMSCOPE_APPLICATION_ID}`);
  },
};
