// Export in the reference library's JSONL log format (`rlmscope export --format rlms`): the
// inverse of interop/rlmsLog, which imports such logs.
export { writeRlmsLog } from './writeRlmsLog';
