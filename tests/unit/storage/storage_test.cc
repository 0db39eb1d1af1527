// Storage: the catalog, items and stats through real LMDB environments, the
// single writer's all-or-nothing closures, snapshot reads under concurrent
// writes, persistence, the in-memory mode and data directory errors.
#include "storage/storage.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/catalog_codec.h"
#include "storage/item_codec.h"
#include "storage/key_codec.h"

namespace ddb {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "ddb-test-XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, ec);
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TableDef MakeTable(std::string name, bool with_range = true,
                   AttrType pk_type = AttrType::kS,
                   AttrType sk_type = AttrType::kN) {
  TableDef t;
  t.ns = "us-east-1";
  t.name = std::move(name);
  t.hash_key = {"pk", pk_type};
  t.attribute_definitions.push_back({"pk", pk_type});
  if (with_range) {
    t.range_key = KeyAttribute{"sk", sk_type};
    t.attribute_definitions.push_back({"sk", sk_type});
  }
  t.creation_time = 1700000000.123;
  t.table_uuid = "uuid-" + t.name;
  t.region = "us-east-1";
  return t;
}

Item MakeItem(std::string pk, std::string sk, std::string payload = "v") {
  return {{"pk", AttributeValue::String(std::move(pk))},
          {"sk", AttributeValue::Number(std::move(sk))},
          {"data", AttributeValue::String(std::move(payload))}};
}

Item KeyOf(const Item& item) {
  Item key;
  for (const char* name : {"pk", "sk"}) {
    auto it = item.find(name);
    if (it != item.end()) key.insert(*it);
  }
  return key;
}

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    storage_.reset();
    StorageOptions options;
    options.data_dir = dir_.path() + "/data";
    options.map_size = uint64_t{1} << 30;
    storage_ = Storage::Open(options);
  }

  TableDef Create(TableDef t) {
    storage_->WriteSync([&](Txn& txn) { txn.CreateTable(t); });
    return t;
  }

  void Put(const TableDef& t, const Item& item) {
    storage_->WriteSync([&](Txn& txn) { txn.PutItem(t, item); });
  }

  std::optional<Item> Get(const TableDef& t, const Item& key) {
    Txn txn = storage_->BeginRead();
    return txn.GetItem(t, key);
  }

  // Stores `squatter` under the encoded key of `victim`, bypassing the
  // checks: a stand-in for a digest collision, which cannot be produced.
  void PlantUnderKeyOf(const TableDef& t, const Item& victim,
                       const Item& squatter) {
    storage_->WriteSync([&](Txn& txn) {
      std::string key = EncodeItemKey(t, victim);
      std::string value = EncodeItem(squatter);
      MDB_val k{key.size(), key.data()};
      MDB_val v{value.size(), value.data()};
      ASSERT_EQ(mdb_put(txn.raw(), txn.items_dbi(), &k, &v, 0), MDB_SUCCESS);
    });
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(StorageTest, CreateGetListAndDeleteTables) {
  TableDef a = Create(MakeTable("alpha"));
  TableDef b = Create(MakeTable("beta", /*with_range=*/false, AttrType::kB));
  TableDef other_ns = MakeTable("gamma");
  other_ns.ns = "eu-west-1";
  other_ns = Create(other_ns);
  EXPECT_GT(a.id, 0u);
  EXPECT_GT(b.id, a.id);
  EXPECT_GT(other_ns.id, b.id);

  Txn txn = storage_->BeginRead();
  TableRef got = txn.GetTable("us-east-1", "alpha");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, a.id);
  EXPECT_EQ(got->hash_key.name, "pk");
  ASSERT_TRUE(got->range_key);
  EXPECT_EQ(got->range_key->type, AttrType::kN);
  EXPECT_EQ(got->attribute_definitions.size(), 2u);
  EXPECT_EQ(got->creation_time, 1700000000.123);
  EXPECT_EQ(got->table_uuid, "uuid-alpha");
  EXPECT_FALSE(txn.GetTable("us-east-1", "gamma"));
  EXPECT_FALSE(txn.GetTable("eu-west-1", "alpha"));
  TableRef beta = txn.GetTable("us-east-1", "beta");
  ASSERT_TRUE(beta);
  EXPECT_FALSE(beta->range_key);
  EXPECT_EQ(beta->hash_key.type, AttrType::kB);

  using Names = std::vector<std::string>;
  EXPECT_EQ(txn.ListTables("us-east-1", "", 100), (Names{"alpha", "beta"}));
  EXPECT_EQ(txn.ListTables("us-east-1", "", 1), (Names{"alpha"}));
  EXPECT_EQ(txn.ListTables("us-east-1", "alpha", 100), (Names{"beta"}));
  EXPECT_EQ(txn.ListTables("us-east-1", "alp", 100), (Names{"alpha", "beta"}));
  EXPECT_EQ(txn.ListTables("us-east-1", "beta", 100), Names{});
  EXPECT_EQ(txn.ListTables("us-east-1", "", 0), Names{});
  EXPECT_EQ(txn.ListTables("eu-west-1", "", 100), (Names{"gamma"}));
  EXPECT_EQ(txn.ListTables("us", "", 100), Names{});
  EXPECT_EQ(txn.ListTables("zz", "", 100), Names{});

  // The same name in another namespace is another table.
  TableDef dup = MakeTable("alpha");
  EXPECT_THROW(storage_->WriteSync([&](Txn& w) { w.CreateTable(dup); }),
               std::runtime_error);

  storage_->WriteSync([&](Txn& w) { w.DeleteTable(a); });
  Txn after = storage_->BeginRead();
  EXPECT_FALSE(after.GetTable("us-east-1", "alpha"));
  EXPECT_EQ(after.ListTables("us-east-1", "", 100), (Names{"beta"}));
  // The snapshot taken before the delete still sees the table.
  EXPECT_TRUE(txn.GetTable("us-east-1", "alpha"));

  // Ids are never reused, even for a re-created name.
  TableDef again = Create(MakeTable("alpha"));
  EXPECT_GT(again.id, other_ns.id);
}

TEST_F(StorageTest, PutGetDeleteItemsAndStats) {
  TableDef t = Create(MakeTable("items"));
  Item one = MakeItem("p", "1", "first");
  Txn empty = storage_->BeginRead();
  EXPECT_FALSE(empty.GetItem(t, KeyOf(one)));

  std::optional<Item> old;
  storage_->WriteSync([&](Txn& txn) { old = txn.PutItem(t, one); });
  EXPECT_FALSE(old);
  EXPECT_EQ(Get(t, KeyOf(one)), one);
  // 1.0 is the same number as 1: the same item.
  Item key_1_0 = {{"pk", AttributeValue::String("p")},
                  {"sk", AttributeValue::Number("1.0")}};
  EXPECT_EQ(Get(t, key_1_0), one);

  Item replaced = MakeItem("p", "1", "second, longer");
  storage_->WriteSync([&](Txn& txn) { old = txn.PutItem(t, replaced); });
  EXPECT_EQ(old, one);
  Item two = MakeItem("p", "2");
  Put(t, two);
  Item other_pk = MakeItem("q", "1");
  Put(t, other_pk);

  {
    Txn txn = storage_->BeginRead();
    TableStats stats = txn.GetStats(t.id);
    EXPECT_EQ(stats.item_count, 3u);
    EXPECT_EQ(stats.size_bytes,
              ItemSize(replaced) + ItemSize(two) + ItemSize(other_pk));
  }

  storage_->WriteSync([&](Txn& txn) { old = txn.DeleteItem(t, KeyOf(two)); });
  EXPECT_EQ(old, two);
  storage_->WriteSync([&](Txn& txn) { old = txn.DeleteItem(t, KeyOf(two)); });
  EXPECT_FALSE(old);
  EXPECT_FALSE(Get(t, KeyOf(two)));
  Txn txn = storage_->BeginRead();
  TableStats stats = txn.GetStats(t.id);
  EXPECT_EQ(stats.item_count, 2u);
  EXPECT_EQ(stats.size_bytes, ItemSize(replaced) + ItemSize(other_pk));
  EXPECT_EQ(txn.GetStats(9999).item_count, 0u);
}

// Absent, then present with its bytes, then present without the old item
// or its bytes (no index needs the item; the undo log looks the bytes up):
// each time what GetItem answered just before.
TEST_F(StorageTest, ReplaceItemWithTheReadVersionKeepsStatsExact) {
  TableDef t = Create(MakeTable("replace"));
  Item first = MakeItem("p", "1", "first");
  Item second = MakeItem("p", "1", "second, longer");
  Item third = MakeItem("p", "1", "third");
  storage_->WriteSync([&](Txn& txn) {
    std::string_view stored;
    ASSERT_FALSE(txn.GetItem(t, KeyOf(first), &stored));
    txn.ReplaceItem(t, first, Txn::Replaced{});
  });
  storage_->WriteSync([&](Txn& txn) {
    std::string_view stored;
    std::optional<Item> current = txn.GetItem(t, KeyOf(second), &stored);
    ASSERT_EQ(current, first);
    EXPECT_EQ(DecodeItem(stored), first);
    txn.ReplaceItem(
        t, second,
        Txn::Replaced{
            .size = ItemSize(*current), .item = &*current, .stored = stored});
  });
  EXPECT_EQ(Get(t, KeyOf(first)), second);
  storage_->WriteSync([&](Txn& txn) {
    std::optional<Item> current = txn.GetItem(t, KeyOf(third));
    ASSERT_EQ(current, second);
    txn.ReplaceItem(t, third, Txn::Replaced{.size = ItemSize(*current)});
  });
  EXPECT_EQ(Get(t, KeyOf(first)), third);
  Txn txn = storage_->BeginRead();
  TableStats stats = txn.GetStats(t.id);
  EXPECT_EQ(stats.item_count, 1u);
  EXPECT_EQ(stats.size_bytes, ItemSize(third));
}

TEST_F(StorageTest, ReplaceItemOnAnIndexedTableNeedsTheOldItem) {
  TableDef t = MakeTable("indexed_replace");
  IndexDef index;
  index.name = "byData";
  index.hash_keys = {{"data", AttrType::kS}};
  t.indexes.push_back(index);
  t.attribute_definitions.push_back({"data", AttrType::kS});
  t = Create(t);
  Item first = MakeItem("p", "1", "first");
  storage_->WriteSync([&](Txn& txn) { txn.PutItem(t, first); });
  EXPECT_THROW(storage_->WriteSync([&](Txn& txn) {
    txn.ReplaceItem(t, MakeItem("p", "1", "second"),
                    Txn::Replaced{.size = ItemSize(first)});
  }),
               std::logic_error);
  EXPECT_EQ(Get(t, KeyOf(first)), first);
}

TEST_F(StorageTest, PutItemOldSizeReportsTheReplacedSizeAndKeepsStats) {
  TableDef t = Create(MakeTable("sized"));
  Item first = MakeItem("p", "1", "first");
  Item second = MakeItem("p", "1", "second, longer");
  std::optional<size_t> old_size = 7;
  storage_->WriteSync(
      [&](Txn& txn) { old_size = txn.PutItemOldSize(t, first); });
  EXPECT_FALSE(old_size);
  storage_->WriteSync(
      [&](Txn& txn) { old_size = txn.PutItemOldSize(t, second); });
  ASSERT_TRUE(old_size);
  EXPECT_EQ(*old_size, ItemSize(first));
  EXPECT_EQ(Get(t, KeyOf(first)), second);
  Txn txn = storage_->BeginRead();
  TableStats stats = txn.GetStats(t.id);
  EXPECT_EQ(stats.item_count, 1u);
  EXPECT_EQ(stats.size_bytes, ItemSize(second));
}

TEST_F(StorageTest, ItemsOfAPartitionAreContiguousAndSortedBySortKey) {
  TableDef t = Create(MakeTable("sorted"));
  for (const char* sk : {"10", "-3", "2.5", "0", "100", "-0.5"}) {
    Put(t, MakeItem("p", sk));
    Put(t, MakeItem("other", sk));
  }
  Txn txn = storage_->BeginRead();
  Cursor cursor(txn, txn.items_dbi());
  const std::string prefix =
      PartitionKeyPrefix(t.id, AttributeValue::String("p"));
  std::vector<std::string> sks;
  for (bool ok = cursor.Seek(prefix); ok && cursor.key().starts_with(prefix);
       ok = cursor.Next()) {
    sks.push_back(DecodeItem(cursor.value()).at("sk").scalar);
  }
  EXPECT_EQ(sks,
            (std::vector<std::string>{"-3", "-0.5", "0", "2.5", "10", "100"}));
  // SeekForPrev lands on the last entry at or before a key.
  Item key = {{"pk", AttributeValue::String("p")},
              {"sk", AttributeValue::Number("5")}};
  ASSERT_TRUE(cursor.SeekForPrev(EncodeItemKey(t, key)));
  EXPECT_EQ(DecodeItem(cursor.value()).at("sk").scalar, "2.5");
}

TEST_F(StorageTest, DeleteTableRemovesItemsAndStatsButNotOtherTables) {
  TableDef doomed = Create(MakeTable("doomed"));
  TableDef kept = Create(MakeTable("kept"));
  for (int i = 0; i < 500; ++i) {
    Put(doomed, MakeItem("p" + std::to_string(i % 7), std::to_string(i)));
  }
  Put(kept, MakeItem("p", "1"));
  storage_->WriteSync([&](Txn& txn) { txn.DeleteTable(doomed); });

  Txn txn = storage_->BeginRead();
  Cursor cursor(txn, txn.items_dbi());
  const std::string prefix = TableKeyPrefix(doomed.id);
  EXPECT_FALSE(cursor.Seek(prefix) && cursor.key().starts_with(prefix));
  EXPECT_EQ(txn.GetStats(doomed.id).item_count, 0u);
  EXPECT_EQ(txn.GetItem(kept, KeyOf(MakeItem("p", "1"))), MakeItem("p", "1"));
  EXPECT_EQ(txn.GetStats(kept.id).item_count, 1u);
}

TEST_F(StorageTest, DeletingAStaleDefinitionKeepsTheNewerTable) {
  TableDef first = Create(MakeTable("t"));
  storage_->WriteSync([&](Txn& txn) { txn.DeleteTable(first); });
  TableDef second = Create(MakeTable("t"));
  storage_->WriteSync([&](Txn& txn) { txn.DeleteTable(first); });
  Txn txn = storage_->BeginRead();
  TableRef got = txn.GetTable("us-east-1", "t");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, second.id);
}

TEST_F(StorageTest, ClosureThatThrowsLeavesNothingBehind) {
  TableDef t = Create(MakeTable("atomic"));
  Put(t, MakeItem("p", "1", "original"));
  EXPECT_THROW(storage_->WriteSync([&](Txn& txn) {
    txn.PutItem(t, MakeItem("p", "1", "overwritten"));
    txn.PutItem(t, MakeItem("p", "2"));
    TableDef extra = MakeTable("extra");
    txn.CreateTable(extra);
    throw std::runtime_error("condition failed");
  }),
               std::runtime_error);
  Txn txn = storage_->BeginRead();
  EXPECT_EQ(txn.GetItem(t, KeyOf(MakeItem("p", "1"))),
            MakeItem("p", "1", "original"));
  EXPECT_FALSE(txn.GetItem(t, KeyOf(MakeItem("p", "2"))));
  EXPECT_EQ(txn.GetStats(t.id).item_count, 1u);
  EXPECT_FALSE(txn.GetTable("us-east-1", "extra"));
}

TEST_F(StorageTest, SubmitWriteRunsInOrder) {
  TableDef t = Create(MakeTable("queue"));
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  std::atomic<int> done_count{0};
  std::atomic<int> failures{0};
  for (int i = 0; i < 50; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) {
          order.push_back(i);
          threads.push_back(std::this_thread::get_id());
          txn.PutItem(t, MakeItem("p", std::to_string(i)));
          if (i == 25) throw std::runtime_error("fail 25");
        },
        [&](std::exception_ptr error) {
          if (error) ++failures;
          ++done_count;
        });
  }
  storage_->WriteSync([](Txn&) {});
  EXPECT_EQ(done_count.load(), 50);
  EXPECT_EQ(failures.load(), 1);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
  // Fast mode, one submitter and nothing else writing: each write runs on
  // the submitting thread (CallerWritesTest covers the durable case).
  EXPECT_TRUE(std::all_of(threads.begin(), threads.end(), [&](auto id) {
    return id == std::this_thread::get_id();
  }));
  EXPECT_EQ(storage_->BeginRead().GetStats(t.id).item_count, 49u);
}

TEST_F(StorageTest, ReadersSeeConsistentSnapshotsDuringWrites) {
  TableDef t = Create(MakeTable("concurrent"));
  constexpr int kWrites = 300;
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::atomic<long> reads{0};
  auto reader = [&] {
    uint64_t last_count = 0;
    while (!stop.load()) {
      Txn txn = storage_->BeginRead();
      TableStats stats = txn.GetStats(t.id);
      // Within one snapshot the stats and the items agree: item i exists
      // exactly when i < item_count (writes go in order).
      const int n = static_cast<int>(stats.item_count);
      if (stats.item_count < last_count) ++violations;
      if (n > 0 &&
          !txn.GetItem(t, KeyOf(MakeItem("p", std::to_string(n - 1))))) {
        ++violations;
      }
      if (txn.GetItem(t, KeyOf(MakeItem("p", std::to_string(n))))) {
        ++violations;
      }
      last_count = stats.item_count;
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);
  // On a busy machine the readers may start late: make sure they overlap
  // the writes and also read the final state.
  while (reads.load() == 0) std::this_thread::yield();
  for (int i = 0; i < kWrites; ++i) {
    storage_->SubmitWrite(
        [&, i](Txn& txn) { txn.PutItem(t, MakeItem("p", std::to_string(i))); },
        nullptr);
  }
  storage_->WriteSync([](Txn&) {});
  const long reads_after_writes = reads.load() + 8;
  while (reads.load() < reads_after_writes) std::this_thread::yield();
  stop = true;
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(storage_->BeginRead().GetStats(t.id).item_count,
            static_cast<uint64_t>(kWrites));
}

TEST_F(StorageTest, DataSurvivesReopen) {
  TableDef t = Create(MakeTable("persist"));
  Put(t, MakeItem("p", "1", "kept"));
  Reopen();
  Txn txn = storage_->BeginRead();
  TableRef got = txn.GetTable("us-east-1", "persist");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, t.id);
  EXPECT_EQ(txn.GetItem(*got, KeyOf(MakeItem("p", "1"))),
            MakeItem("p", "1", "kept"));
  EXPECT_EQ(txn.GetStats(t.id).item_count, 1u);
  // The id counter persisted too.
  TableDef next = Create(MakeTable("next"));
  EXPECT_GT(next.id, t.id);
}

TEST_F(StorageTest, LongKeysRoundTripAndStayDistinct) {
  TableDef t = Create(MakeTable("long", true, AttrType::kS, AttrType::kB));
  auto item = [](std::string pk, std::string sk, std::string v) {
    return Item{{"pk", AttributeValue::String(std::move(pk))},
                {"sk", AttributeValue::Binary(std::move(sk))},
                {"v", AttributeValue::String(std::move(v))}};
  };
  const std::string pk_a = std::string(2047, 'k') + "a";
  const std::string pk_b = std::string(2047, 'k') + "b";
  const std::string sk_a = std::string(1023, '\0') + "a";  // worst escaping
  const std::string sk_b = std::string(1023, '\0') + "b";
  std::vector<Item> items = {item(pk_a, sk_a, "1"), item(pk_a, sk_b, "2"),
                             item(pk_b, sk_a, "3"), item(pk_b, sk_b, "4"),
                             item(pk_a, "short", "5")};
  for (const Item& i : items) Put(t, i);
  Txn txn = storage_->BeginRead();
  for (const Item& i : items) {
    Item key = KeyOf(i);
    EXPECT_EQ(txn.GetItem(t, key), i) << i.at("v").scalar;
  }
  EXPECT_EQ(txn.GetStats(t.id).item_count, items.size());
  // A key sharing the long prefix but absent is not found.
  EXPECT_FALSE(
      txn.GetItem(t, KeyOf(item(pk_a, std::string(1023, '\0') + "c", ""))));
  // The encoded read (GetItem's fast path) agrees.
  for (const Item& i : items) {
    std::string_view stored;
    ASSERT_TRUE(txn.GetStoredItem(t, KeyOf(i), &stored));
    EXPECT_EQ(DecodeItem(stored), i);
  }
  std::string_view stored;
  EXPECT_FALSE(txn.GetStoredItem(
      t, KeyOf(item(pk_a, std::string(1023, '\0') + "c", "")), &stored));
}

TEST_F(StorageTest, EncodedReadChecksTheKeyBehindADigest) {
  // Plant another item under the encoded key of a digested partition key:
  // the encoded read must not return it (GetItem does not either).
  TableDef t = Create(MakeTable("collide2"));
  Item victim = MakeItem(std::string(300, 'v'), "1");
  Item squatter = MakeItem(std::string(300, 's'), "1", "squatter");
  ASSERT_TRUE(ItemKeyIsDigested(t, KeyOf(victim)));
  ASSERT_FALSE(ItemKeyIsDigested(t, KeyOf(MakeItem("p", "1"))));
  PlantUnderKeyOf(t, victim, squatter);
  Txn txn = storage_->BeginRead();
  std::string_view stored;
  EXPECT_FALSE(txn.GetStoredItem(t, KeyOf(victim), &stored));
  EXPECT_FALSE(txn.GetItem(t, KeyOf(victim)));
}

TEST_F(StorageTest, DigestCollisionIsDetectedNotOverwritten) {
  // A real XXH3-128 collision cannot be produced, so plant one: store a
  // different item under the key that `victim` encodes to.
  TableDef t = Create(MakeTable("collide"));
  Item victim = MakeItem("p", "1");
  Item squatter = MakeItem("p", "2", "squatter");
  PlantUnderKeyOf(t, victim, squatter);
  EXPECT_FALSE(Get(t, KeyOf(victim)));
  EXPECT_THROW(Put(t, victim), std::runtime_error);
  // ReplaceItem with GetItem's "absent" must not overwrite the squatter.
  EXPECT_THROW(storage_->WriteSync([&](Txn& txn) {
    ASSERT_FALSE(txn.GetItem(t, KeyOf(victim)));
    txn.ReplaceItem(t, victim, Txn::Replaced{});
  }),
               std::runtime_error);
  std::optional<Item> old = Item{};
  storage_->WriteSync(
      [&](Txn& txn) { old = txn.DeleteItem(t, KeyOf(victim)); });
  EXPECT_FALSE(old);
}

TEST_F(StorageTest, PutItemOldSizeChecksTheKeyBehindADigest) {
  // Only a digested key can share its slot with another item; the
  // size-only path must then check the stored key as PutItem does.
  TableDef t = Create(MakeTable("collide3"));
  Item victim = MakeItem(std::string(300, 'v'), "1");
  Item squatter = MakeItem(std::string(300, 's'), "1", "squatter");
  ASSERT_TRUE(ItemKeyIsDigested(t, KeyOf(victim)));
  PlantUnderKeyOf(t, victim, squatter);
  EXPECT_THROW(
      storage_->WriteSync([&](Txn& txn) { txn.PutItemOldSize(t, victim); }),
      std::runtime_error);
  Txn txn = storage_->BeginRead();
  std::string_view stored;
  EXPECT_FALSE(txn.GetStoredItem(t, KeyOf(victim), &stored));
}

TEST_F(StorageTest, WritesAfterShutdownAreRejected) {
  storage_->Shutdown();
  std::exception_ptr error;
  storage_->SubmitWrite([](Txn&) {}, [&](std::exception_ptr e) { error = e; });
  EXPECT_TRUE(error);
  EXPECT_THROW(storage_->WriteSync([](Txn&) {}), std::runtime_error);
}

TEST(CatalogCodecTest, RoundTripsAndRejectsGarbage) {
  TableDef t = MakeTable("codec");
  t.id = 77;
  t.pay_per_request = false;
  t.read_capacity = 5;
  t.write_capacity = 10;
  TableDef back = DecodeTableDef(EncodeTableDef(t));
  EXPECT_EQ(back.id, 77u);
  EXPECT_EQ(back.name, "codec");
  EXPECT_EQ(back.ns, "us-east-1");
  EXPECT_FALSE(back.pay_per_request);
  EXPECT_EQ(back.read_capacity, 5);
  EXPECT_EQ(back.write_capacity, 10);
  EXPECT_EQ(back.range_key->name, "sk");
  EXPECT_EQ(back.region, "us-east-1");
  std::string bytes = EncodeTableDef(t);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(DecodeTableDef(bytes.substr(0, n)), std::runtime_error);
  }
}

std::vector<std::string> ShmEntries() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/dev/shm", ec)) {
    std::string name = entry.path().filename();
    if (name.starts_with("dynalocal-")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(InMemoryStorageTest, WorksAndLeavesNoFiles) {
  const std::vector<std::string> before = ShmEntries();
  StorageOptions options;
  options.in_memory = true;
  options.data_dir = "/nonexistent/should/not/be/used";
  std::unique_ptr<Storage> storage = Storage::Open(options);
  EXPECT_EQ(ShmEntries(), before);  // unlinked right after opening

  TableDef t = MakeTable("mem");
  storage->WriteSync([&](Txn& txn) { txn.CreateTable(t); });
  // Many writes and concurrent readers keep working on the unlinked files.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      Txn txn = storage->BeginRead();
      EXPECT_TRUE(txn.GetTable("us-east-1", "mem"));
    }
  });
  for (int i = 0; i < 2000; ++i) {
    storage->SubmitWrite(
        [&, i](Txn& txn) {
          txn.PutItem(t, MakeItem("p" + std::to_string(i % 10),
                                  std::to_string(i), std::string(200, 'x')));
        },
        nullptr);
  }
  storage->WriteSync([](Txn&) {});
  stop = true;
  reader.join();
  EXPECT_EQ(storage->BeginRead().GetStats(t.id).item_count, 2000u);
  storage.reset();
  EXPECT_EQ(ShmEntries(), before);
  EXPECT_FALSE(fs::exists("/nonexistent"));
}

TEST(DataDirTest, UncreatableDirectoryIsAClearError) {
  TempDir dir;
  const std::string file = dir.path() + "/a-file";
  std::ofstream(file) << "x";
  StorageOptions options;
  options.data_dir = file + "/data";
  try {
    Storage::Open(options);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "data directory " + options.data_dir +
                                         " cannot be created: Not a directory");
  }
  options.data_dir = file;
  try {
    Storage::Open(options);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "data directory " + file + " is not a directory");
  }
}

// Root can write anywhere, so as root the check runs in a child process that
// has dropped to an unprivileged user first.
void ExpectUnwritableDirErrors(const std::string& locked) {
  StorageOptions options;
  options.data_dir = locked;
  try {
    Storage::Open(options);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "data directory " + locked +
                                         " is not writable: Permission denied");
  }
  options.data_dir = locked + "/sub";
  try {
    Storage::Open(options);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "data directory " + options.data_dir +
                                         " is not writable: Permission denied");
  }
}

TEST(DataDirTest, UnwritableDirectoryIsAClearError) {
  TempDir dir;
  const std::string locked = dir.path() + "/locked";
  ASSERT_EQ(mkdir(locked.c_str(), 0555), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  if (geteuid() != 0) {
    ExpectUnwritableDirErrors(locked);
    return;
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // nobody/nogroup: the conventional unprivileged ids.
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    ExpectUnwritableDirErrors(locked);
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the unprivileged check failed";
}

// Not an assertion of speed: records what a commit costs in each mode on
// this machine (the numbers quoted in storage.h).
TEST(CommitLatencyTest, DurableVersusFast) {
  for (Durability mode : {Durability::kDurable, Durability::kFast}) {
    TempDir dir;
    StorageOptions options;
    options.data_dir = dir.path();
    options.durability = mode;
    options.map_size = uint64_t{1} << 30;
    std::unique_ptr<Storage> storage = Storage::Open(options);
    TableDef t = MakeTable("lat");
    storage->WriteSync([&](Txn& txn) { txn.CreateTable(t); });
    constexpr int kCommits = 200;
    std::vector<double> micros;
    for (int i = 0; i < kCommits; ++i) {
      auto start = std::chrono::steady_clock::now();
      storage->WriteSync([&](Txn& txn) {
        txn.PutItem(t, MakeItem("p", std::to_string(i), std::string(100, 'x')));
      });
      micros.push_back(std::chrono::duration<double, std::micro>(
                           std::chrono::steady_clock::now() - start)
                           .count());
    }
    std::sort(micros.begin(), micros.end());
    double sum = 0;
    for (double m : micros) sum += m;
    std::printf("commit latency %s: mean %.1f us, p50 %.1f us, p99 %.1f us\n",
                mode == Durability::kDurable ? "durable" : "fast",
                sum / kCommits, micros[kCommits / 2],
                micros[kCommits * 99 / 100]);
    EXPECT_EQ(storage->BeginRead().GetStats(t.id).item_count,
              static_cast<uint64_t>(kCommits));
  }
}

}  // namespace
}  // namespace ddb
