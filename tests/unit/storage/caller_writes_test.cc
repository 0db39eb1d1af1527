// Writes run on the submitting thread in the fast and in-memory modes when
// no other write is running (StorageOptions::writes_on_caller), and on the
// writer thread in durable mode. Either way they stay serialized, in order,
// and a completion may submit more.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

INSTANTIATE_TEST_SUITE_P(Modes, CallerWritesTest,
                         ::testing::Values(Durability::kFast,
                                           Durability::kDurable),
                         [](const auto& info) {
                           return info.param == Durability::kFast
                                      ? std::string("Fast")
                                      : std::string("Durable");
                         });

}  // namespace
}  // namespace ddb
