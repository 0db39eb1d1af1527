// Where an in-memory environment keeps its (immediately unlinked) files.
//
// tmpfs keeps the pages off any disk, but a container's /dev/shm is often
// tiny (Docker gives 64 MB), and a write that does not fit would fail with
// "disk full" long before the map is used up. So /dev/shm is taken only when
// it has room to spare, else the temporary directory: its pages stay in the
// page cache as long as memory allows, and the files vanish with the process.
#pragma once

#include <cstdint>
#include <string>

namespace ddb {

// The free space of /dev/shm below which in-memory mode uses the temporary
// directory instead.
inline constexpr uint64_t kMinShmFreeBytes = uint64_t{1} << 30;

// Bytes available to an unprivileged writer in the filesystem holding `dir`,
// or 0 when `dir` is missing or cannot be queried.
uint64_t FreeBytes(const std::string& dir);

// `shm` when it is a directory with at least `min_free` bytes free, else
// `fallback`.
std::string ChooseInMemoryBase(const std::string& shm,
                               const std::string& fallback, uint64_t min_free);

// Creates a fresh private (0700) directory for an in-memory environment under
// the base ChooseInMemoryBase picks among /dev/shm and $TMPDIR (or /tmp),
// trying the other one if that fails. Throws std::runtime_error when neither
// works.
std::string MakeInMemoryDir();

}  // namespace ddb
