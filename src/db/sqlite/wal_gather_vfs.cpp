#include "db/sqlite/wal_gather_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bulwark::db::sqlite {
namespace {

constexpr const char* kName = "bulwark-wal-gather";
// Gathered bytes are written out before they grow past this (a large transaction's spill).
constexpr size_t kMaxGathered = 1 << 20;
// The default VFS writes at most 128 KiB - 1 bytes per call (unixWrite masks the size).
constexpr size_t kMaxWrite = 124 * 1024;
// SQLite's WAL frame header (walEncodeFrame): page number, then the database's size in pages
// after a commit frame (0 in every other frame), then salts and checksums.
constexpr int kFrameHeaderBytes = 24;

sqlite3_vfs* g_root = nullptr;

// The VFS's file: SQLite's base, then the default VFS's own file right after it (szOsFile).
struct GatherFile {
    sqlite3_file base;
    sqlite3_file* real;
    bool wal;
    // The log only: the last write was a commit frame's header, so the next one (its page)
    // ends the commit and writes everything out.
    bool commit_next;
    // A write-out outside SQLite's write calls failed: every later call fails.
    bool broken;
    // The log only: bytes not yet written, for the file from `start` on.
    int64_t start;
    std::vector<unsigned char>* gathered;
};

constexpr size_t kRealOffset = (sizeof(GatherFile) + 15) & ~size_t{15};

// The log with gathered bytes on this thread (a connection is used by one thread at a time,
// and it gathers only inside a transaction of its own).
thread_local GatherFile* t_gathering = nullptr;

GatherFile* Of(sqlite3_file* file) { return reinterpret_cast<GatherFile*>(file); }
const sqlite3_io_methods* Real(GatherFile* f) { return f->real->pMethods; }

int WriteOut(GatherFile* f) {
    if (t_gathering == f) t_gathering = nullptr;
    if (f->gathered == nullptr || f->gathered->empty()) return SQLITE_OK;
    int rc = SQLITE_OK;
    const std::vector<unsigned char>& gathered = *f->gathered;
    for (size_t at = 0; at < gathered.size() && rc == SQLITE_OK; at += kMaxWrite) {
        const size_t n = std::min(kMaxWrite, gathered.size() - at);
        rc = Real(f)->xWrite(f->real, gathered.data() + at, static_cast<int>(n),
                             f->start + static_cast<int64_t>(at));
    }
    f->gathered->clear();
    return rc;
}

// Before anything that could look at the log or publish a commit: this thread's gathered bytes
// go out. Where SQLite cannot be told of a failure (a barrier), the file that failed is broken.
int WriteOutPending() {
    GatherFile* f = t_gathering;
    if (f == nullptr) return SQLITE_OK;
    int rc = WriteOut(f);
    if (rc != SQLITE_OK) f->broken = true;
    return rc;
}

int Close(sqlite3_file* file) {
    GatherFile* f = Of(file);
    int out = f->wal ? WriteOut(f) : SQLITE_OK;
    int rc = Real(f)->xClose(f->real);
    delete f->gathered;
    f->gathered = nullptr;
    return out != SQLITE_OK ? out : rc;
}

int Read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_READ;
    if (f->wal) {
        if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
    } else if (WriteOutPending() != SQLITE_OK) {
        return SQLITE_IOERR_READ;
    }
    return Real(f)->xRead(f->real, data, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_WRITE;
    if (!f->wal) return Real(f)->xWrite(f->real, data, amount, offset);
    const auto* bytes = static_cast<const unsigned char*>(data);
    std::vector<unsigned char>& gathered = *f->gathered;
    const size_t size = static_cast<size_t>(amount);
    if (!gathered.empty() && (offset != f->start + static_cast<int64_t>(gathered.size()) ||
                              gathered.size() + size > kMaxGathered)) {
        if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
    }
    if (t_gathering != nullptr && t_gathering != f) {
        if (int rc = WriteOutPending(); rc != SQLITE_OK) return rc;
    }
    if (gathered.empty()) f->start = offset;
    gathered.insert(gathered.end(), bytes, bytes + size);
    t_gathering = f;
    if (amount == kFrameHeaderBytes) {
        f->commit_next = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
        return SQLITE_OK;
    }
    if (f->commit_next || gathered.size() >= kMaxGathered) {
        f->commit_next = false;
        return WriteOut(f);
    }
    return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_TRUNCATE;
    if (int rc = f->wal ? WriteOut(f) : WriteOutPending(); rc != SQLITE_OK) return rc;
    return Real(f)->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_FSYNC;
    if (int rc = f->wal ? WriteOut(f) : WriteOutPending(); rc != SQLITE_OK) return rc;
    return Real(f)->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_FSTAT;
    if (int rc = f->wal ? WriteOut(f) : SQLITE_OK; rc != SQLITE_OK) return rc;
    return Real(f)->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_LOCK;
    if (WriteOutPending() != SQLITE_OK) return SQLITE_IOERR_LOCK;
    return Real(f)->xLock(f->real, level);
}

int Unlock(sqlite3_file* file, int level) {
    GatherFile* f = Of(file);
    int rc = WriteOutPending();
    int unlocked = Real(f)->xUnlock(f->real, level);
    return rc != SQLITE_OK ? SQLITE_IOERR_UNLOCK : unlocked;
}

int CheckReservedLock(sqlite3_file* file, int* out) {
    GatherFile* f = Of(file);
    return Real(f)->xCheckReservedLock(f->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
    GatherFile* f = Of(file);
    if (f->wal && !f->broken) {
        if (int rc = WriteOut(f); rc != SQLITE_OK) return rc;
    }
    return Real(f)->xFileControl(f->real, op, arg);
}

int SectorSize(sqlite3_file* file) {
    GatherFile* f = Of(file);
    return Real(f)->xSectorSize(f->real);
}

int DeviceCharacteristics(sqlite3_file* file) {
    GatherFile* f = Of(file);
    return Real(f)->xDeviceCharacteristics(f->real);
}

int ShmMap(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
    GatherFile* f = Of(file);
    return Real(f)->xShmMap(f->real, page, page_size, extend, out);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
    GatherFile* f = Of(file);
    if (f->broken) return SQLITE_IOERR_SHMLOCK;
    if (WriteOutPending() != SQLITE_OK && (flags & SQLITE_SHM_LOCK) != 0) {
        return SQLITE_IOERR_SHMLOCK;
    }
    return Real(f)->xShmLock(f->real, offset, n, flags);
}

// SQLite's barrier between its log's frames and the index header that publishes them.
void ShmBarrier(sqlite3_file* file) {
    GatherFile* f = Of(file);
    (void)WriteOutPending();
    Real(f)->xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
    GatherFile* f = Of(file);
    return Real(f)->xShmUnmap(f->real, delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    GatherFile* f = Of(file);
    if (f->wal) {
        *out = nullptr;  // read through xRead instead
        return SQLITE_OK;
    }
    return Real(f)->xFetch(f->real, offset, amount, out);
}

int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    GatherFile* f = Of(file);
    return Real(f)->xUnfetch(f->real, offset, page);
}

const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    (void)vfs;
    GatherFile* f = Of(file);
    std::memset(f, 0, sizeof(GatherFile));
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
    int rc = g_root->xOpen(g_root, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || f->real->pMethods == nullptr) {
        f->base.pMethods = nullptr;
        return rc;
    }
    // Versions below 3 would leave methods this table forwards to unset.
    if (f->real->pMethods->iVersion < 3) {
        f->real->pMethods->xClose(f->real);
        f->base.pMethods = nullptr;
        return SQLITE_CANTOPEN;
    }
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    if (f->wal) f->gathered = new std::vector<unsigned char>();
    f->base.pMethods = &kMethods;
    return SQLITE_OK;
}

sqlite3_vfs* Register() {
    g_root = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs = *g_root;
    vfs.pNext = nullptr;
    vfs.zName = kName;
    vfs.szOsFile = static_cast<int>(kRealOffset) + g_root->szOsFile;
    vfs.xOpen = Open;
    sqlite3_vfs_register(&vfs, 0);
    return &vfs;
}

}  // namespace

const char* WalGatheringVfs() {
    static sqlite3_vfs* vfs = Register();
    return vfs->zName;
}

}  // namespace bulwark::db::sqlite
