#include "storage/in_memory_dir.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace ddb {

namespace fs = std::filesystem;

uint64_t FreeBytes(const std::string& dir) {
  struct statvfs info;
  if (statvfs(dir.c_str(), &info) != 0) return 0;
  return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
}

std::string ChooseInMemoryBase(const std::string& shm,
                               const std::string& fallback, uint64_t min_free) {
  std::error_code ec;
  if (fs::is_directory(shm, ec) && FreeBytes(shm) >= min_free) return shm;
  return fallback;
}

std::string MakeInMemoryDir() {
  std::string tmp = "/tmp";
  std::error_code ec;
  // temp_directory_path honours $TMPDIR.
  fs::path from_env = fs::temp_directory_path(ec);
  if (!ec) tmp = from_env.string();
  const std::string shm = "/dev/shm";
  const std::string first = ChooseInMemoryBase(shm, tmp, kMinShmFreeBytes);
  const std::vector<std::string> bases = {first, first == shm ? tmp : shm};
  int error = 0;
  for (const std::string& base : bases) {
    std::string templ = base + "/dynalocal-XXXXXX";
    if (mkdtemp(templ.data()) != nullptr) {
      spdlog::debug("in-memory database under {} ({} MiB free there)", base,
                    FreeBytes(base) >> 20);
      return templ;
    }
    error = errno;
  }
  throw std::runtime_error(
      "cannot create a directory for the in-memory database in " + bases[0] +
      " or " + bases[1] + ": " + std::strerror(error));
}

}  // namespace ddb
