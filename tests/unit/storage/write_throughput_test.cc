// Not an assertion of speed: records what concurrent WriteSync callers get
// from the single writer in each durability mode (the figures quoted in
// storage.h and bench/RESULTS.md). It does assert that every acknowledged
// write is there afterwards.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/storage.h"

namespace ddb {
namespace {

namespace fs = std::filesystem;

TableDef LoadTable() {
  TableDef t;
  t.ns = "us-east-1";
  t.name = "load";
  t.hash_key = {"pk", AttrType::kS};
  t.attribute_definitions.push_back({"pk", AttrType::kS});
  t.table_uuid = "uuid-load";
  t.region = "us-east-1";
  return t;
}

struct Figures {
  double ops_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  long acknowledged = 0;
};

// `submitters` threads each WriteSync one ~1 KB PutItem after another for
// `duration`.
Figures RunSubmitters(Storage& storage, const TableDef& table, int submitters,
                      std::chrono::milliseconds duration) {
  std::vector<std::vector<double>> latencies(submitters);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < submitters; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        Item item = {{"pk", AttributeValue::String(std::to_string(submitters) +
                                                   "-" + std::to_string(s) +
                                                   "-" + std::to_string(i))},
                     {"data", AttributeValue::String(std::string(1000, 'x'))}};
        const auto t0 = std::chrono::steady_clock::now();
        storage.WriteSync([&](Txn& txn) { txn.PutItem(table, item); });
        latencies[s].push_back(std::chrono::duration<double, std::micro>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count());
      }
    });
  }
  std::this_thread::sleep_for(duration);
  stop = true;
  for (std::thread& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Figures f;
  f.acknowledged = static_cast<long>(all.size());
  f.ops_per_second = static_cast<double>(all.size()) / seconds;
  if (!all.empty()) {
    f.p50_us = all[all.size() / 2];
    f.p99_us = all[all.size() * 99 / 100];
  }
  return f;
}

TEST(WriteThroughputTest, ConcurrentSubmitters) {
  // DYNALOCAL_WRITE_BENCH_MS lengthens each run for measurement.
  long ms = 300;
  if (const char* env = getenv("DYNALOCAL_WRITE_BENCH_MS")) ms = atol(env);
  for (Durability mode : {Durability::kDurable, Durability::kFast}) {
    std::string templ = fs::temp_directory_path() / "ddb-tput-XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    {
      StorageOptions options;
      options.data_dir = templ;
      options.durability = mode;
      options.map_size = uint64_t{4} << 30;
      std::unique_ptr<Storage> storage = Storage::Open(options);
      TableDef table = LoadTable();
      storage->WriteSync([&](Txn& txn) { txn.CreateTable(table); });
      long total = 0;
      for (int submitters : {1, 8, 32}) {
        Figures f = RunSubmitters(*storage, table, submitters,
                                  std::chrono::milliseconds(ms));
        total += f.acknowledged;
        std::printf(
            "write throughput %-7s %2d submitters: %8.0f writes/s, p50 %8.1f "
            "us, p99 %8.1f us\n",
            mode == Durability::kDurable ? "durable" : "fast", submitters,
            f.ops_per_second, f.p50_us, f.p99_us);
      }
      EXPECT_EQ(storage->BeginRead().GetStats(table.id).item_count,
                static_cast<uint64_t>(total));
    }
    std::error_code ec;
    fs::remove_all(templ, ec);
  }
}

}  // namespace
}  // namespace ddb
