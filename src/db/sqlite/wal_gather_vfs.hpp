#pragma once

namespace bulwark::db::sqlite {

// The name of a SQLite VFS over the default one (registered on the first call, never the
// default) that gathers a connection's appends to its write-ahead log and hands them to the
// kernel in one write per commit, instead of two `pwrite`s per page (a frame's 24-byte header,
// then the page). Everything else goes straight through.
//
// What it keeps is only what SQLite has not made visible yet: the gathered bytes are written
// - with the commit frame's page, inside SQLite's own write call, so a failure fails the commit;
// - before anything else touches the log or the shared index (a read, a sync, its size, a
//   truncation, a close, a lock or a memory barrier), and before the gathering grows past 1 MiB.
// A commit is therefore in the file before any connection can see it, and a crash loses only
// frames that were never committed, as it would have without the VFS.
const char* WalGatheringVfs();

}  // namespace bulwark::db::sqlite
