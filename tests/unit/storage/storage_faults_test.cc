// Storage under faults: a full LMDB map and a full disk give the writer a
// clean ApiError, leave no trace of the failed writes and keep the
// environment usable; the data directory is private; in-memory mode keeps
// off a /dev/shm that is too small.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/api_error.h"
#include "storage/in_memory_dir.h"
#include "storage/storage.h"
#include "tests/unit/storage/test_util.h"

namespace ddb {
namespace {

namespace fs = std::filesystem;
using storage_test::SimpleItem;
using storage_test::SimpleKey;
using storage_test::SimpleTable;
using storage_test::TempDir;

constexpr char kMapFullMessage[] =
    "dynalocal's database is full (max size 2 MiB); raise --max-db-size or "
    "delete data";

class MapFullTest : public ::testing::TestWithParam<Durability> {
 protected:
  void Open() {
    storage_.reset();
    StorageOptions options;
    options.data_dir = dir_.path() + "/data";
    options.durability = GetParam();
    options.map_size = uint64_t{2} << 20;
    storage_ = Storage::Open(options);
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

// Writes one at a time until the map is full.
TEST_P(MapFullTest, FullMapFailsTheWriteCleanly) {
  Open();
  TableDef table = SimpleTable("full");
  storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table); });
  int acknowledged = 0;
  bool failed = false;
  while (acknowledged < 10000) {
    try {
      storage_->WriteSync([&](Txn& txn) {
        txn.PutItem(table,
                    SimpleItem("p", acknowledged, std::string(3000, 'x')));
      });
      ++acknowledged;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.type(), "InternalServerError");
      EXPECT_EQ(e.http_status(), 500);
      EXPECT_EQ(e.message(), kMapFullMessage);
      failed = true;
      break;
    }
  }
  ASSERT_TRUE(failed);
  EXPECT_GT(acknowledged, 300);
  // Reads work while the map is full, and the failed write left nothing.
  {
    Txn txn = storage_->BeginRead();
    EXPECT_EQ(txn.GetStats(table.id).item_count,
              static_cast<uint64_t>(acknowledged));
    EXPECT_TRUE(txn.GetItem(table, SimpleKey("p", 0)));
    EXPECT_FALSE(txn.GetItem(table, SimpleKey("p", acknowledged)));
  }
  // A reopened environment holds every acknowledged write.
  Open();
  {
    Txn txn = storage_->BeginRead();
    for (int i = 0; i < acknowledged; ++i) {
      ASSERT_TRUE(txn.GetItem(table, SimpleKey("p", i))) << i;
    }
    EXPECT_FALSE(txn.GetItem(table, SimpleKey("p", acknowledged)));
    EXPECT_EQ(txn.GetStats(table.id).item_count,
              static_cast<uint64_t>(acknowledged));
  }
  // Deleting frees room for new writes.
  for (int i = 0; i < 100; ++i) {
    storage_->WriteSync([&](Txn& txn) {
      ASSERT_TRUE(txn.DeleteItem(table, SimpleKey("p", i)));
    });
  }
  for (int i = 0; i < 50; ++i) {
    storage_->WriteSync([&](Txn& txn) {
      txn.PutItem(table, SimpleItem("again", i, std::string(1000, 'y')));
    });
  }
  EXPECT_EQ(storage_->BeginRead().GetStats(table.id).item_count,
            static_cast<uint64_t>(acknowledged - 100 + 50));
}

// Many writers at once, so that group commits hit the limit too (a batch
// may fail as a whole). Exactly the acknowledged writes must be there.
TEST_P(MapFullTest, ConcurrentWritersKeepExactlyTheAcknowledgedWrites) {
  Open();
  TableDef table = SimpleTable("full");
  storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table); });
  std::mutex mu;
  std::set<int> acknowledged;
  std::atomic<int> failures{0};
  std::atomic<int> finished{0};
  std::atomic<int> wrong_errors{0};
  constexpr int kWrites = 4000;
  for (int i = 0; i < kWrites; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) {
          txn.PutItem(table, SimpleItem("p", i, std::string(1000, 'x')));
        },
        [&, i](std::exception_ptr error) {
          if (!error) {
            std::lock_guard<std::mutex> lock(mu);
            acknowledged.insert(i);
          } else {
            ++failures;
            try {
              std::rethrow_exception(error);
            } catch (const ApiError& e) {
              if (e.message() != kMapFullMessage) ++wrong_errors;
            } catch (...) {
              ++wrong_errors;
            }
          }
          ++finished;
        });
  }
  // Waits for the queue to drain. The empty job may share a batch that
  // fails as a whole, so it is repeated until it succeeds.
  while (true) {
    try {
      storage_->WriteSync([](Txn&) {});
      break;
    } catch (const ApiError&) {
    }
  }
  ASSERT_EQ(finished.load(), kWrites);
  EXPECT_GT(failures.load(), 0);
  EXPECT_EQ(wrong_errors.load(), 0);
  Open();
  Txn txn = storage_->BeginRead();
  for (int i = 0; i < kWrites; ++i) {
    EXPECT_EQ(txn.GetItem(table, SimpleKey("p", i)).has_value(),
              acknowledged.count(i) == 1)
        << i;
  }
  EXPECT_EQ(txn.GetStats(table.id).item_count, acknowledged.size());
}

INSTANTIATE_TEST_SUITE_P(Modes, MapFullTest,
                         ::testing::Values(Durability::kDurable,
                                           Durability::kFast),
                         storage_test::DurabilityName);

// A full disk, simulated with a file size limit (writes past it fail with
// EFBIG, or EIO for one cut short): run in a child process, since the limit
// and the ignored SIGXFSZ are process-wide.
int FullDiskChild(const std::string& dir, Durability mode) {
  signal(SIGXFSZ, SIG_IGN);
  StorageOptions options;
  options.data_dir = dir;
  options.durability = mode;
  options.map_size = uint64_t{1} << 30;
  std::unique_ptr<Storage> storage = Storage::Open(options);
  TableDef table = SimpleTable("disk");
  storage->WriteSync([&](Txn& txn) { txn.CreateTable(table); });
  for (int i = 0; i < 20; ++i) {
    storage->WriteSync([&](Txn& txn) {
      txn.PutItem(table, SimpleItem("p", i, std::string(1000, 'x')));
    });
  }
  rlimit original{};
  if (getrlimit(RLIMIT_FSIZE, &original) != 0) return 10;
  rlimit limited = original;
  limited.rlim_cur = fs::file_size(dir + "/data.mdb") + 64 * 1024;
  if (setrlimit(RLIMIT_FSIZE, &limited) != 0) return 11;
  int acknowledged = 20;
  std::string message;
  for (; acknowledged < 100000; ++acknowledged) {
    try {
      storage->WriteSync([&](Txn& txn) {
        txn.PutItem(table,
                    SimpleItem("p", acknowledged, std::string(3000, 'x')));
      });
    } catch (const ApiError& e) {
      if (e.http_status() != 500 || e.type() != "InternalServerError") {
        return 12;
      }
      message = e.message();
      break;
    }
  }
  std::fprintf(stderr, "full disk error after %d writes: %s\n", acknowledged,
               message.c_str());
  if (message !=
          "dynalocal cannot write its database: the file size limit was "
          "reached (File too large)" &&
      message !=
          "dynalocal cannot write its database: I/O error (Input/output "
          "error)") {
    return 13;
  }
  // Reads still work; the failed write is not there.
  {
    Txn txn = storage->BeginRead();
    if (!txn.GetItem(table, SimpleKey("p", acknowledged - 1))) return 14;
    if (txn.GetItem(table, SimpleKey("p", acknowledged))) return 15;
    if (txn.GetStats(table.id).item_count !=
        static_cast<uint64_t>(acknowledged)) {
      return 16;
    }
  }
  // Space comes back: writing works again.
  if (setrlimit(RLIMIT_FSIZE, &original) != 0) return 17;
  storage->WriteSync(
      [&](Txn& txn) { txn.PutItem(table, SimpleItem("after", 1)); });
  std::ofstream(dir + "/../acknowledged") << acknowledged;
  storage.reset();
  return 0;
}

TEST(FullDiskTest, FileSizeLimitFailsTheWriteCleanly) {
  for (Durability mode : {Durability::kDurable, Durability::kFast}) {
    TempDir dir;
    const std::string data = dir.path() + "/data";
    std::fflush(nullptr);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(FullDiskChild(data, mode));
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0) << "see the child's exit code";
    int acknowledged = 0;
    std::ifstream(dir.path() + "/acknowledged") >> acknowledged;
    ASSERT_GT(acknowledged, 20);

    StorageOptions options;
    options.data_dir = data;
    std::unique_ptr<Storage> storage = Storage::Open(options);
    Txn txn = storage->BeginRead();
    TableRef table = txn.GetTable("us-east-1", "disk");
    ASSERT_TRUE(table);
    for (int i = 0; i < acknowledged; ++i) {
      ASSERT_TRUE(txn.GetItem(*table, SimpleKey("p", i))) << i;
    }
    EXPECT_FALSE(txn.GetItem(*table, SimpleKey("p", acknowledged)));
    EXPECT_TRUE(txn.GetItem(*table, SimpleKey("after", 1)));
    EXPECT_EQ(txn.GetStats(table->id).item_count,
              static_cast<uint64_t>(acknowledged + 1));
  }
}

fs::perms ModeOf(const std::string& path) {
  return fs::status(path).permissions() & fs::perms::mask;
}

TEST(DataDirPermissionsTest, CreatedDirectoriesAndFilesArePrivate) {
  const mode_t old_umask = umask(022);
  TempDir dir;
  StorageOptions options;
  options.data_dir = dir.path() + "/a/b/data";
  Storage::Open(options).reset();
  umask(old_umask);
  for (const char* sub : {"/a", "/a/b", "/a/b/data"}) {
    EXPECT_EQ(ModeOf(dir.path() + sub), fs::perms::owner_all) << sub;
  }
  for (const char* file : {"/a/b/data/data.mdb", "/a/b/data/lock.mdb"}) {
    EXPECT_EQ(ModeOf(dir.path() + file),
              fs::perms::owner_read | fs::perms::owner_write)
        << file;
  }
}

TEST(DataDirPermissionsTest, ExistingDirectoryKeepsItsMode) {
  const mode_t old_umask = umask(022);
  TempDir dir;
  const std::string data = dir.path() + "/shared";
  ASSERT_EQ(mkdir(data.c_str(), 0755), 0);
  StorageOptions options;
  options.data_dir = data;
  Storage::Open(options).reset();
  umask(old_umask);
  EXPECT_EQ(ModeOf(data), fs::perms::owner_all | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  EXPECT_EQ(ModeOf(data + "/data.mdb"),
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST(InMemoryDirTest, SharedMemoryOnlyWithEnoughRoom) {
  TempDir shm;
  TempDir fallback;
  EXPECT_GT(FreeBytes(shm.path()), 0u);
  EXPECT_EQ(FreeBytes(shm.path() + "/missing"), 0u);
  EXPECT_EQ(ChooseInMemoryBase(shm.path(), fallback.path(), 1), shm.path());
  EXPECT_EQ(ChooseInMemoryBase(shm.path(), fallback.path(),
                               std::numeric_limits<uint64_t>::max()),
            fallback.path());
  EXPECT_EQ(ChooseInMemoryBase(shm.path() + "/missing", fallback.path(), 1),
            fallback.path());
  const std::string file = shm.path() + "/file";
  std::ofstream(file) << "x";
  EXPECT_EQ(ChooseInMemoryBase(file, fallback.path(), 1), fallback.path());
}

TEST(InMemoryDirTest, MakeInMemoryDirIsPrivate) {
  const std::string dir = MakeInMemoryDir();
  EXPECT_EQ(ModeOf(dir), fs::perms::owner_all);
  const std::string base = fs::path(dir).parent_path();
  // This machine's choice follows the rule.
  if (FreeBytes("/dev/shm") >= kMinShmFreeBytes) {
    EXPECT_EQ(base, "/dev/shm");
  } else {
    EXPECT_NE(base, "/dev/shm");
  }
  fs::remove(dir);
}

}  // namespace
}  // namespace ddb
