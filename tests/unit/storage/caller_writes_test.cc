// Writes run on the submitting thread in the fast and in-memory modes when
// no other write is running (StorageOptions::writes_on_caller), and on the
// writer thread in durable mode. Either way they stay serialized, in order,
// and a completion may submit more. On a thread with a deferrer (an event
// loop, core/deferral.h) the run is deferred so that writes submitted
// meanwhile commit with it.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/deferral.h"
#include "storage/storage.h"
#include "tests/unit/storage/test_util.h"

namespace ddb {
namespace {

using storage_test::SimpleItem;
using storage_test::SimpleKey;
using storage_test::SimpleTable;
using storage_test::TempDir;

class CallerWritesTest : public ::testing::TestWithParam<Durability> {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.data_dir = dir_.path();
    options.durability = GetParam();
    options.map_size = uint64_t{1} << 30;
    storage_ = Storage::Open(options);
    storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table_); });
  }

  // The counter item's payload as a number (0 when absent).
  int Counter() {
    Txn txn = storage_->BeginRead();
    std::optional<Item> item = txn.GetItem(table_, SimpleKey("c", 0));
    return item ? std::stoi(item->at("data").scalar) : 0;
  }

  // A read-modify-write: lost updates would show as a short count.
  std::function<void(Txn&)> Increment() {
    return [this](Txn& txn) {
      std::optional<Item> item = txn.GetItem(table_, SimpleKey("c", 0));
      int value = item ? std::stoi(item->at("data").scalar) : 0;
      txn.PutItem(table_, SimpleItem("c", 0, std::to_string(value + 1)));
    };
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
  TableDef table_ = SimpleTable("calls");
};

TEST_P(CallerWritesTest, RunsOnTheCallerOnlyWhenCommitsDoNotSync) {
  std::thread::id ran_on;
  storage_->SubmitWrite([&](Txn&) { ran_on = std::this_thread::get_id(); },
                        nullptr);
  storage_->WriteSync([](Txn&) {});  // waits for the first
  if (GetParam() == Durability::kDurable) {
    EXPECT_NE(ran_on, std::this_thread::get_id());
  } else {
    EXPECT_EQ(ran_on, std::this_thread::get_id());
  }
}

TEST_P(CallerWritesTest, ConcurrentSubmittersStaySerialized) {
  constexpr int kThreads = 8;
  constexpr int kWrites = 150;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites; ++i) {
        std::promise<void> done;
        storage_->SubmitWrite(Increment(), [&](std::exception_ptr error) {
          if (!error) acknowledged.fetch_add(1);
          done.set_value();
        });
        done.get_future().wait();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kWrites);
  EXPECT_EQ(Counter(), kThreads * kWrites);
}

TEST_P(CallerWritesTest, ACompletionMaySubmitMoreInOrder) {
  // Each completion submits the next write; on the caller they queue behind
  // the running one instead of recursing or deadlocking.
  std::vector<int> order;
  std::promise<void> all_done;
  std::function<void(int)> submit = [&](int n) {
    storage_->SubmitWrite(Increment(), [&, n](std::exception_ptr error) {
      ASSERT_FALSE(error);
      order.push_back(n);
      if (n < 20) {
        submit(n + 1);
      } else {
        all_done.set_value();
      }
    });
  };
  submit(1);
  all_done.get_future().wait();
  ASSERT_EQ(order.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], i + 1);
  EXPECT_EQ(Counter(), 20);
}

TEST_P(CallerWritesTest, WriteSyncInsideAWriteIsRefused) {
  std::exception_ptr inner;
  storage_->WriteSync([&](Txn&) {
    try {
      storage_->WriteSync([](Txn&) {});
    } catch (const std::logic_error&) {
      inner = std::current_exception();
    }
  });
  EXPECT_TRUE(inner);
}

TEST_P(CallerWritesTest, AFailedWriteChangesNothingAndLaterOnesRun) {
  storage_->WriteSync(Increment());
  EXPECT_THROW(storage_->WriteSync([&](Txn& txn) {
    Increment()(txn);
    throw std::runtime_error("closure failed");
  }),
               std::runtime_error);
  storage_->WriteSync(Increment());
  EXPECT_EQ(Counter(), 2);
}

// A deferrer that keeps the runs handed to it until the test runs them.
struct HeldRuns {
  std::vector<std::function<void()>> runs;
  ScopedThreadDeferrer deferrer{
      [this](std::function<void()> run) { runs.push_back(std::move(run)); }};
};

TEST_P(CallerWritesTest, OnAnEventLoopWritesWaitForTheDeferredRun) {
  HeldRuns held;
  std::vector<int> done_order;
  std::vector<std::thread::id> done_on;
  for (int n = 1; n <= 3; ++n) {
    storage_->SubmitWrite(Increment(), [&, n](std::exception_ptr error) {
      EXPECT_FALSE(error);
      done_order.push_back(n);
      done_on.push_back(std::this_thread::get_id());
    });
  }
  if (GetParam() == Durability::kDurable) {
    // Durable commits stay on the writer thread: nothing is deferred.
    EXPECT_TRUE(held.runs.empty());
    storage_->Shutdown();  // drains the queue
    EXPECT_EQ(done_order, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(Counter(), 3);
    return;
  }
  // One run was deferred for all three; none has run yet.
  ASSERT_EQ(held.runs.size(), 1u);
  EXPECT_TRUE(done_order.empty());
  EXPECT_EQ(Counter(), 0);
  held.runs[0]();
  EXPECT_EQ(done_order, (std::vector<int>{1, 2, 3}));
  for (std::thread::id id : done_on) {
    EXPECT_EQ(id, std::this_thread::get_id());
  }
  EXPECT_EQ(Counter(), 3);
  // The role was given back: the next write defers a new run.
  storage_->SubmitWrite(Increment(), nullptr);
  ASSERT_EQ(held.runs.size(), 2u);
  held.runs[1]();
  EXPECT_EQ(Counter(), 4);
}

TEST_P(CallerWritesTest, ShutdownTakesBackARunThatNeverCame) {
  HeldRuns held;
  std::atomic<int> acknowledged{0};
  for (int n = 0; n < 3; ++n) {
    storage_->SubmitWrite(Increment(), [&](std::exception_ptr error) {
      if (!error) acknowledged.fetch_add(1);
    });
  }
  // The event loop stops without running the deferred run: Shutdown must
  // not wait for it forever, and the writes still commit.
  storage_->Shutdown();
  EXPECT_EQ(acknowledged.load(), 3);
  EXPECT_EQ(Counter(), 3);
  // The run comes late, or after the Storage is gone: it does nothing.
  for (auto& run : held.runs) run();
  storage_.reset();
  for (auto& run : held.runs) run();
  EXPECT_EQ(acknowledged.load(), 3);
}

TEST_P(CallerWritesTest, WriteSyncOnAnEventLoopIsRefused) {
  HeldRuns held;
  EXPECT_THROW(storage_->WriteSync(Increment()), std::logic_error);
  EXPECT_TRUE(held.runs.empty());
  EXPECT_EQ(Counter(), 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, CallerWritesTest,
                         ::testing::Values(Durability::kFast,
                                           Durability::kDurable),
                         storage_test::DurabilityName);

}  // namespace
}  // namespace ddb
