// RLMScope's mark in the SQLite header (`PRAGMA application_id`, bytes 68–71), so that someone
// else's SQLite file given as `--db` is refused untouched instead of being migrated into ours
// (DESIGN §5). The value spells "RLMS" in ASCII; it is fixed forever: changing it would make
// every existing database look foreign. Listed nowhere official (SQLite's magic.txt is a
// courtesy list), and no known format uses it.
export const RLMSCOPE_APPLICATION_ID = 0x524c4d53;
