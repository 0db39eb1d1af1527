// Group commit: jobs queued behind a busy writer share one LMDB commit, yet
// each stays all-or-nothing on its own, sees the writes of the jobs before
// it, and hears its outcome only once the batch has committed. Each test
// runs both ways a batch is kept (writer.cc): shared, with an undo log per
// job (a roomy map), and nested transactions (a map too small for a shared
// batch's headroom).
#include <gtest/gtest.h>
#include <lmdb.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/api_error.h"
#include "storage/index_codec.h"
#include "storage/key_codec.h"
#include "storage/storage.h"
#include "tests/unit/storage/test_util.h"

namespace ddb {
namespace {

using storage_test::SimpleItem;
using storage_test::SimpleKey;
using storage_test::SimpleTable;
using storage_test::TempDir;

enum class BatchKind { kShared, kNested };

class GroupCommitTest
    : public ::testing::TestWithParam<std::tuple<Durability, BatchKind>> {
 protected:
  Durability durability() const { return std::get<0>(GetParam()); }

  void SetUp() override {
    StorageOptions options;
    options.data_dir = dir_.path();
    options.durability = durability();
    // A shared batch needs 1 GiB of the map free; LMDB only reserves
    // address space for it.
    options.map_size = std::get<1>(GetParam()) == BatchKind::kShared
                           ? uint64_t{4} << 30
                           : uint64_t{256} << 20;
    // Batches close on their job count only, whatever the build's speed
    // (sanitizers make a job many times slower than the 5 ms default).
    options.max_batch_time = std::chrono::seconds(60);
    // BlockWriter holds a job open on the writer thread.
    options.writes_on_caller = false;
    storage_ = Storage::Open(options);
    storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table_); });
  }

  // The id of the last committed transaction: each commit that changed
  // something adds one.
  size_t LastTxnId() { return mdb_txn_id(storage_->BeginRead().raw()); }

  // Holds the writer inside a job until the returned promise is set, so
  // that what is submitted meanwhile queues up into one batch.
  std::promise<void> BlockWriter() {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> started;
    std::future<void> running = started.get_future();
    storage_->SubmitWrite(
        [&started, released](Txn&) {
          started.set_value();
          released.wait();
        },
        nullptr);
    running.wait();
    return release;
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
  TableDef table_ = SimpleTable("batch");
};

TEST_P(GroupCommitTest, QueuedJobsShareOneCommitButFailAlone) {
  storage_->WriteSync(
      [&](Txn& txn) { txn.PutItem(table_, SimpleItem("p", 0, "original")); });
  const size_t before = LastTxnId();
  std::promise<void> release = BlockWriter();

  constexpr int kJobs = 40;
  std::vector<std::string> outcomes(kJobs);
  std::vector<bool> committed_when_done(kJobs, false);
  std::atomic<int> finished{0};
  for (int i = 0; i < kJobs; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) {
          if (i == 10) {
            // Changes, then fails: only its own changes vanish.
            txn.PutItem(table_, SimpleItem("p", 0, "overwritten by 10"));
            txn.PutItem(table_, SimpleItem("p", 1000));
            throw ApiError::ConditionalCheckFailed();
          }
          if (i == 20) {
            // Sees the write of job 19, committed or not.
            std::optional<Item> prev = txn.GetItem(table_, SimpleKey("q", 19));
            if (!prev) throw std::runtime_error("job 19's write not visible");
            // Job 10's aborted change is not visible.
            if (txn.GetItem(table_, SimpleKey("p", 0))->at("data").scalar !=
                "original") {
              throw std::runtime_error("job 10's change leaked");
            }
          }
          if (i == 30) {
            // Cursors work on a nested transaction and see the batch so far:
            // q/0 .. q/29 without q/10.
            Cursor cursor(txn, txn.items_dbi());
            const std::string prefix =
                PartitionKeyPrefix(table_.id, AttributeValue::String("q"));
            int seen = 0;
            for (bool on = cursor.Seek(prefix);
                 on && cursor.key().starts_with(prefix); on = cursor.Next()) {
              ++seen;
            }
            if (seen != 29) {
              throw std::runtime_error("cursor saw " + std::to_string(seen));
            }
          }
          txn.PutItem(table_, SimpleItem("q", i));
        },
        [&, i](std::exception_ptr error) {
          if (error) {
            try {
              std::rethrow_exception(error);
            } catch (const ApiError& e) {
              outcomes[i] = e.type();
            } catch (const std::exception& e) {
              outcomes[i] = e.what();
            }
          } else {
            outcomes[i] = "ok";
            // The completion runs only after the commit: a fresh snapshot
            // already holds the write.
            committed_when_done[i] = storage_->BeginRead()
                                         .GetItem(table_, SimpleKey("q", i))
                                         .has_value();
          }
          ++finished;
        });
  }
  release.set_value();
  storage_->WriteSync([](Txn&) {});
  ASSERT_EQ(finished.load(), kJobs);
  for (int i = 0; i < kJobs; ++i) {
    if (i == 10) {
      EXPECT_EQ(outcomes[i], "ConditionalCheckFailedException");
    } else {
      EXPECT_EQ(outcomes[i], "ok") << "job " << i;
      EXPECT_TRUE(committed_when_done[i]) << "job " << i;
    }
  }
  // One commit for all 40 jobs (the blocker and the final job write
  // nothing, and LMDB commits an empty transaction without a new id).
  EXPECT_EQ(LastTxnId(), before + 1);

  Txn txn = storage_->BeginRead();
  EXPECT_EQ(txn.GetItem(table_, SimpleKey("p", 0))->at("data").scalar,
            "original");
  EXPECT_FALSE(txn.GetItem(table_, SimpleKey("p", 1000)));
  EXPECT_FALSE(txn.GetItem(table_, SimpleKey("q", 10)));
  EXPECT_EQ(txn.GetStats(table_.id).item_count,
            static_cast<uint64_t>(1 + kJobs - 1));
}

TEST_P(GroupCommitTest, BatchIsBoundedAndLaterJobsStillRun) {
  const size_t before = LastTxnId();
  std::promise<void> release = BlockWriter();
  constexpr int kJobs = 200;
  std::atomic<int> ok{0};
  for (int i = 0; i < kJobs; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) { txn.PutItem(table_, SimpleItem("b", i)); },
        [&](std::exception_ptr error) {
          if (!error) ++ok;
        });
  }
  release.set_value();
  storage_->WriteSync([](Txn&) {});
  EXPECT_EQ(ok.load(), kJobs);
  EXPECT_EQ(storage_->BeginRead().GetStats(table_.id).item_count,
            static_cast<uint64_t>(kJobs));
  // At most 64 jobs a batch: at least ceil(200 / 64) = 4 commits, and far
  // fewer than one per job.
  const size_t commits = LastTxnId() - before;
  EXPECT_GE(commits, 4u);
  EXPECT_LT(commits, 50u);
}

// How many entries `index` of `table` holds.
size_t IndexEntries(Txn& txn, const TableDef& table, const IndexDef& index) {
  const std::string prefix = IndexKeyPrefix(table.id, index.id);
  Cursor cursor(txn, txn.indexes_dbi());
  size_t count = 0;
  for (bool on = cursor.Seek(prefix); on && cursor.key().starts_with(prefix);
       on = cursor.Next()) {
    ++count;
  }
  return count;
}

Item GItem(const std::string& pk, int sk, const std::string& g) {
  Item item = SimpleItem(pk, sk);
  item["g"] = AttributeValue::String(g);
  return item;
}

// A job that overwrites, deletes and re-indexes items and then fails leaves
// the items, their index entries and every stat exactly as they were, while
// the jobs around it in the same batch commit.
TEST_P(GroupCommitTest, AFailedJobsDeletesAndIndexChangesAreUndone) {
  TableDef indexed = SimpleTable("indexed");
  IndexDef by_g;
  by_g.id = 1;
  by_g.name = "byG";
  by_g.hash_keys = {{"g", AttrType::kS}};
  indexed.indexes.push_back(by_g);
  indexed.attribute_definitions.push_back({"g", AttrType::kS});
  storage_->WriteSync([&](Txn& txn) {
    txn.CreateTable(indexed);
    txn.PutItem(indexed, GItem("p", 1, "a"));
    txn.PutItem(indexed, GItem("p", 2, "b"));
  });
  const TableStats stats_before = storage_->BeginRead().GetStats(indexed.id);
  const TableStats index_before =
      storage_->BeginRead().GetIndexStats(indexed.id, by_g.id);
  ASSERT_EQ(index_before.item_count, 2u);

  std::promise<void> release = BlockWriter();
  std::vector<std::string> outcomes(3);
  auto record = [&](int i) {
    return [&, i](std::exception_ptr error) {
      outcomes[i] = error ? "failed" : "ok";
    };
  };
  storage_->SubmitWrite(
      [&](Txn& txn) { txn.PutItem(indexed, GItem("q", 1, "x")); }, record(0));
  storage_->SubmitWrite(
      [&](Txn& txn) {
        txn.DeleteItem(indexed, SimpleKey("p", 1));
        txn.PutItem(indexed, GItem("p", 2, "changed"));
        txn.PutItem(indexed, GItem("p", 3, "new"));
        txn.DeleteItem(indexed, SimpleKey("q", 1));  // job 0's item
        txn.PutItem(indexed, GItem("p", 2, "changed twice"));
        throw ApiError::ConditionalCheckFailed();
      },
      record(1));
  storage_->SubmitWrite(
      [&](Txn& txn) {
        // Job 1's changes are gone, job 0's are there.
        if (!txn.GetItem(indexed, SimpleKey("p", 1)) ||
            txn.GetItem(indexed, SimpleKey("p", 2))->at("g").scalar != "b" ||
            txn.GetItem(indexed, SimpleKey("p", 3)) ||
            !txn.GetItem(indexed, SimpleKey("q", 1))) {
          throw std::runtime_error("job 1 left a trace");
        }
        txn.PutItem(indexed, GItem("q", 2, "y"));
      },
      record(2));
  release.set_value();
  storage_->WriteSync([](Txn&) {});

  EXPECT_EQ(outcomes, (std::vector<std::string>{"ok", "failed", "ok"}));
  Txn txn = storage_->BeginRead();
  EXPECT_EQ(txn.GetItem(indexed, SimpleKey("p", 1)), GItem("p", 1, "a"));
  EXPECT_EQ(txn.GetItem(indexed, SimpleKey("p", 2)), GItem("p", 2, "b"));
  EXPECT_FALSE(txn.GetItem(indexed, SimpleKey("p", 3)));
  EXPECT_TRUE(txn.GetItem(indexed, SimpleKey("q", 1)));
  EXPECT_TRUE(txn.GetItem(indexed, SimpleKey("q", 2)));
  const TableStats stats_after = txn.GetStats(indexed.id);
  EXPECT_EQ(stats_after.item_count, stats_before.item_count + 2);
  EXPECT_EQ(stats_after.size_bytes, stats_before.size_bytes +
                                        ItemSize(GItem("q", 1, "x")) +
                                        ItemSize(GItem("q", 2, "y")));
  const TableStats index_after = txn.GetIndexStats(indexed.id, by_g.id);
  EXPECT_EQ(index_after.item_count, 4u);
  EXPECT_EQ(IndexEntries(txn, indexed, by_g), 4u);
}

// UpdateItem's read-modify-write hands ReplaceItem the bytes it read, which
// the undo log keeps instead of looking them up: a failing job still leaves
// the item and the stats exactly as they were.
TEST_P(GroupCommitTest, AFailedReplaceWithTheReadBytesIsUndone) {
  TableDef t = SimpleTable("replaced");
  storage_->WriteSync([&](Txn& txn) {
    txn.CreateTable(t);
    txn.PutItem(t, GItem("p", 1, "before"));
  });
  const TableStats stats_before = storage_->BeginRead().GetStats(t.id);

  std::promise<void> release = BlockWriter();
  std::vector<std::string> outcomes(2);
  auto record = [&](int i) {
    return [&, i](std::exception_ptr error) {
      outcomes[i] = error ? "failed" : "ok";
    };
  };
  auto replace = [&](std::string g, bool fail) {
    return [&, g, fail](Txn& txn) {
      std::string_view stored;
      std::optional<Item> old = txn.GetItem(t, SimpleKey("p", 1), &stored);
      if (!old) throw std::runtime_error("no item");
      Txn::Replaced replaced{.size = ItemSize(*old), .stored = stored};
      Item edited = std::move(*old);  // no index: the old item may go
      edited["g"] = AttributeValue::String(g);
      txn.ReplaceItem(t, edited, replaced);
      if (fail) throw ApiError::ConditionalCheckFailed();
    };
  };
  storage_->SubmitWrite(replace("a much longer value than before", true),
                        record(0));
  storage_->SubmitWrite(
      [&](Txn& txn) {
        if (txn.GetItem(t, SimpleKey("p", 1)) != GItem("p", 1, "before")) {
          throw std::runtime_error("job 0 left a trace");
        }
      },
      record(1));
  release.set_value();
  storage_->WriteSync([](Txn&) {});

  EXPECT_EQ(outcomes, (std::vector<std::string>{"failed", "ok"}));
  Txn txn = storage_->BeginRead();
  EXPECT_EQ(txn.GetItem(t, SimpleKey("p", 1)), GItem("p", 1, "before"));
  const TableStats stats_after = txn.GetStats(t.id);
  EXPECT_EQ(stats_after.item_count, stats_before.item_count);
  EXPECT_EQ(stats_after.size_bytes, stats_before.size_bytes);
}

// A kOwn write (DeleteTable, dropping an index) ends the batch it is queued
// behind and commits on its own; the writes queued after it still batch.
TEST_P(GroupCommitTest, AnOwnScopeWriteCommitsAlone) {
  TableDef doomed = SimpleTable("doomed");
  storage_->WriteSync([&](Txn& txn) {
    txn.CreateTable(doomed);
    for (int i = 0; i < 100; ++i) txn.PutItem(doomed, SimpleItem("d", i));
  });
  const size_t before = LastTxnId();
  std::promise<void> release = BlockWriter();
  std::atomic<int> ok{0};
  auto count = [&](std::exception_ptr error) {
    if (!error) ++ok;
  };
  for (int i = 0; i < 5; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) { txn.PutItem(table_, SimpleItem("a", i)); }, count);
  }
  storage_->SubmitWrite([&](Txn& txn) { txn.DeleteTable(doomed); }, count,
                        WriteScope::kOwn);
  for (int i = 0; i < 5; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) { txn.PutItem(table_, SimpleItem("b", i)); }, count);
  }
  release.set_value();
  storage_->WriteSync([](Txn&) {});
  EXPECT_EQ(ok.load(), 11);
  // Three commits: the five before, the delete, the five after.
  EXPECT_EQ(LastTxnId(), before + 3);
  Txn txn = storage_->BeginRead();
  EXPECT_FALSE(txn.GetTable(doomed.ns, doomed.name));
  EXPECT_EQ(txn.GetStats(table_.id).item_count, 10u);
}

// A job that swallows an LMDB error (here MDB_MAP_FULL) leaves its nested
// transaction unusable; committing it would make LMDB refuse the whole
// batch. The writer notices (the transaction no longer answers) and fails
// that job alone. A map this small always takes the nested path, whatever
// the parameter: a shared batch could only fail as a whole.
TEST_P(GroupCommitTest, SwallowedStorageErrorFailsOnlyItsJob) {
  TempDir small_dir;
  StorageOptions options;
  options.data_dir = small_dir.path();
  options.durability = durability();
  options.map_size = 1 << 20;
  options.writes_on_caller = false;  // for BlockWriter
  storage_ = Storage::Open(options);
  storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table_); });

  std::promise<void> release = BlockWriter();
  std::vector<std::exception_ptr> errors(3);
  std::atomic<int> finished{0};
  auto record = [&](int i) {
    return [&, i](std::exception_ptr e) {
      errors[i] = e;
      ++finished;
    };
  };
  storage_->SubmitWrite(
      [&](Txn& txn) { txn.PutItem(table_, SimpleItem("x", 1)); }, record(0));
  storage_->SubmitWrite(
      [&](Txn& txn) {
        try {
          // Until LMDB runs out of map (MDB_MAP_FULL), which marks the
          // nested transaction as failed.
          for (int i = 0; i < 100000; ++i) {
            txn.PutItem(table_, SimpleItem("y", i, std::string(2000, 'z')));
          }
        } catch (const ApiError&) {
          // Swallowed: the closure returns as if it had succeeded.
        }
      },
      record(1));
  storage_->SubmitWrite(
      [&](Txn& txn) { txn.PutItem(table_, SimpleItem("x", 3)); }, record(2));
  release.set_value();
  storage_->WriteSync([](Txn&) {});
  ASSERT_EQ(finished.load(), 3);
  EXPECT_FALSE(errors[0]);
  EXPECT_TRUE(errors[1]);
  EXPECT_FALSE(errors[2]);
  Txn txn = storage_->BeginRead();
  EXPECT_EQ(txn.GetStats(table_.id).item_count, 2u);
  EXPECT_TRUE(txn.GetItem(table_, SimpleKey("x", 1)));
  EXPECT_FALSE(txn.GetItem(table_, SimpleKey("y", 0)));
  EXPECT_TRUE(txn.GetItem(table_, SimpleKey("x", 3)));
  // The next write goes through.
  storage_->WriteSync([&](Txn& w) { w.PutItem(table_, SimpleItem("x", 4)); });
  EXPECT_TRUE(storage_->BeginRead().GetItem(table_, SimpleKey("x", 4)));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, GroupCommitTest,
    ::testing::Combine(
        ::testing::Values(Durability::kDurable, Durability::kFast),
        ::testing::Values(BatchKind::kShared, BatchKind::kNested)),
    [](const ::testing::TestParamInfo<std::tuple<Durability, BatchKind>>&
           info) {
      return std::string(std::get<0>(info.param) == Durability::kDurable
                             ? "Durable"
                             : "Fast") +
             (std::get<1>(info.param) == BatchKind::kShared ? "Shared"
                                                            : "Nested");
    });

}  // namespace
}  // namespace ddb
