// The portable run file (`rlmscope export --format rlmscope`, `rlmscope import`): a whole run
// with its payloads and documents, to restore on another machine. The format is in format.ts;
// the store side of a restore is store/portableRestore.ts.
export { writePortable, type WritePortableOptions } from './writePortable';
export { readPortable, PortableFileError, type PortableErrorReason, type PortableItem, type PortableRun } from './readPortable';
export { PORTABLE_FORMAT, PORTABLE_VERSION } from './format';
