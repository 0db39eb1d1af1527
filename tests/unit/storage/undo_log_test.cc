// UndoLog on a raw LMDB environment: a rollback puts back exactly what the
// recorded keys held, oldest record winning, and nothing else.
#include "storage/undo_log.h"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <optional>
#include <string>

#include "tests/unit/storage/test_util.h"

namespace ddb {
namespace {

using storage_test::TempDir;

class UndoLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mdb_env_create(&env_), MDB_SUCCESS);
    ASSERT_EQ(mdb_env_set_mapsize(env_, 16 << 20), MDB_SUCCESS);
    ASSERT_EQ(mdb_env_open(env_, dir_.path().c_str(), MDB_NOSYNC, 0600),
              MDB_SUCCESS);
    ASSERT_EQ(mdb_txn_begin(env_, nullptr, 0, &txn_), MDB_SUCCESS);
    ASSERT_EQ(mdb_dbi_open(txn_, nullptr, 0, &dbi_), MDB_SUCCESS);
  }
  void TearDown() override {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    mdb_env_close(env_);
  }

  std::optional<std::string> Get(const std::string& key) {
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v;
    if (mdb_get(txn_, dbi_, &k, &v) != MDB_SUCCESS) return std::nullopt;
    return std::string(static_cast<const char*>(v.mv_data), v.mv_size);
  }
  // Records the key's value now in `log`, then writes (nullopt: deletes).
  void Change(UndoLog& log, const std::string& key,
              std::optional<std::string> value) {
    std::optional<std::string> old = Get(key);
    std::string_view old_view = old ? std::string_view(*old) : "";
    log.Record(dbi_, key, old ? &old_view : nullptr);
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    if (value) {
      MDB_val v{value->size(), value->data()};
      ASSERT_EQ(mdb_put(txn_, dbi_, &k, &v, 0), MDB_SUCCESS);
    } else {
      ASSERT_EQ(mdb_del(txn_, dbi_, &k, nullptr), MDB_SUCCESS);
    }
  }

  TempDir dir_;
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  MDB_dbi dbi_ = 0;
};

TEST_F(UndoLogTest, RollbackRestoresOverwrittenDeletedAndNewKeys) {
  UndoLog before_job;
  Change(before_job, "a", "1");
  Change(before_job, "b", "2");
  before_job.Clear();  // an earlier job that succeeded: kept

  UndoLog log;
  EXPECT_TRUE(log.empty());
  Change(log, "a", "10");
  Change(log, "c", "3");
  Change(log, "b", std::nullopt);
  Change(log, "a", "11");    // the same key twice: the oldest record wins
  Change(log, "c", "33");    // a new key changed again
  Change(log, "b", "back");  // deleted, then written again
  Change(log, "d", std::string(5000, 'x'));  // an overflow page's worth
  EXPECT_FALSE(log.empty());
  log.Rollback(txn_);

  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(log.broken());
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), "2");
  EXPECT_EQ(Get("c"), std::nullopt);
  EXPECT_EQ(Get("d"), std::nullopt);
}

TEST_F(UndoLogTest, ClearForgetsTheRecordsButNotTheBytesWritten) {
  UndoLog log;
  log.AddWritten(100);
  Change(log, "a", "1");
  log.Clear();
  log.AddWritten(20);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(log.written(), 120u);
  // A rollback after Clear changes nothing.
  log.Rollback(txn_);
  EXPECT_EQ(Get("a"), "1");
}

TEST_F(UndoLogTest, FirstChangeIsTrueOncePerKeyPerJob) {
  UndoLog log;
  EXPECT_TRUE(log.FirstChange(dbi_, "stats"));
  EXPECT_FALSE(log.FirstChange(dbi_, "stats"));
  EXPECT_TRUE(log.FirstChange(dbi_, "other"));
  EXPECT_TRUE(log.FirstChange(dbi_ + 1, "stats"));  // another database
  log.Clear();                                      // the next job
  EXPECT_TRUE(log.FirstChange(dbi_, "stats"));
}

TEST_F(UndoLogTest, ResetStartsABatchAfresh) {
  UndoLog log;
  log.AddWritten(7);
  log.MarkBroken();
  Change(log, "big", std::string(3 << 20, 'x'));  // grows the buffer past 1 MiB
  log.Reset();
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(log.broken());
  EXPECT_EQ(log.written(), 0u);
  log.Rollback(txn_);
  EXPECT_EQ(Get("big")->size(), size_t{3} << 20);
}

TEST_F(UndoLogTest, BrokenStaysSetAcrossClear) {
  UndoLog log;
  EXPECT_FALSE(log.broken());
  log.MarkBroken();
  log.Clear();
  EXPECT_TRUE(log.broken());
}

}  // namespace
}  // namespace ddb
