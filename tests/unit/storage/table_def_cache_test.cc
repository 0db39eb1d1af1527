// TableDefCache: decoded catalog entries are shared while the stored bytes
// stay the same, and a snapshot holding other bytes (older or newer) always
// gets its own decoding.
#include "storage/table_def_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/catalog_codec.h"
#include "storage/storage.h"

namespace ddb {
namespace {

TableDef Sample(std::string name) {
  TableDef t;
  t.id = 3;
  t.ns = "us-east-1";
  t.name = std::move(name);
  t.hash_key = {"pk", AttrType::kS};
  t.attribute_definitions = {{"pk", AttrType::kS}};
  t.region = "us-east-1";
  t.table_uuid = "0b9d2c4e-uuid";
  return t;
}

TEST(TableDefCacheTest, SameBytesShareOneDecoding) {
  TableDefCache cache;
  const std::string bytes = EncodeTableDef(Sample("orders"));
  TableRef first = cache.Get("k", bytes);
  TableRef second = cache.Get("k", bytes);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(first->name, "orders");
  EXPECT_EQ(first->table_uuid, "0b9d2c4e-uuid");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TableDefCacheTest, OtherBytesUnderTheSameKeyDecodeAgain) {
  TableDefCache cache;
  TableDef before = Sample("orders");
  TableDef after = before;
  after.ttl_enabled = true;
  after.ttl_attribute = "expires";
  const std::string old_bytes = EncodeTableDef(before);
  const std::string new_bytes = EncodeTableDef(after);

  TableRef old_def = cache.Get("k", old_bytes);
  TableRef new_def = cache.Get("k", new_bytes);
  EXPECT_NE(old_def.get(), new_def.get());
  EXPECT_FALSE(old_def->ttl_enabled);  // a holder's definition never changes
  EXPECT_TRUE(new_def->ttl_enabled);
  EXPECT_EQ(new_def->ttl_attribute, "expires");
  // An older snapshot asking again gets the old definition back.
  EXPECT_FALSE(cache.Get("k", old_bytes)->ttl_enabled);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TableDefCacheTest, KeysAreSeparate) {
  TableDefCache cache;
  TableRef a = cache.Get("a", EncodeTableDef(Sample("alpha")));
  TableRef b = cache.Get("b", EncodeTableDef(Sample("beta")));
  EXPECT_EQ(cache.Get("a", EncodeTableDef(Sample("alpha"))).get(), a.get());
  EXPECT_EQ(cache.Get("b", EncodeTableDef(Sample("beta"))).get(), b.get());
  EXPECT_EQ(a->name, "alpha");
  EXPECT_EQ(b->name, "beta");
}

TEST(TableDefCacheTest, StaysWithinItsCapacity) {
  TableDefCache cache(4);
  std::vector<TableRef> held;
  for (int i = 0; i < 10; ++i) {
    const std::string name = "t" + std::to_string(i);
    held.push_back(cache.Get(name, EncodeTableDef(Sample(name))));
    EXPECT_LE(cache.size(), 4u);
  }
  // Definitions handed out before a reset stay valid.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(held[i]->name, "t" + std::to_string(i));
  }
}

TEST(TableDefCacheTest, UndecodableBytesThrowAndAreNotCached) {
  TableDefCache cache;
  EXPECT_ANY_THROW(cache.Get("k", std::string("\xff\x01", 2)));
  EXPECT_EQ(cache.size(), 0u);
}

// Through Storage: a read snapshot taken before UpdateTable keeps seeing the
// definition of its time, however the cache was filled since.
TEST(TableDefCacheTest, SnapshotsSeeTheirOwnDefinition) {
  StorageOptions options;
  options.in_memory = true;
  auto storage = Storage::Open(options);
  TableDef table = Sample("orders");
  table.id = 0;
  storage->WriteSync([&](Txn& txn) { txn.CreateTable(table); });

  Txn old_snapshot = storage->BeginRead();
  TableRef old_def = old_snapshot.GetTable("us-east-1", "orders");
  ASSERT_TRUE(old_def);
  EXPECT_FALSE(old_def->ttl_enabled);

  TableDef updated = *old_def;
  updated.ttl_enabled = true;
  updated.ttl_attribute = "expires";
  storage->WriteSync([&](Txn& txn) { txn.UpdateTable(updated); });

  TableRef new_def = storage->BeginRead().GetTable("us-east-1", "orders");
  ASSERT_TRUE(new_def);
  EXPECT_TRUE(new_def->ttl_enabled);
  EXPECT_FALSE(old_snapshot.GetTable("us-east-1", "orders")->ttl_enabled);
  EXPECT_TRUE(
      storage->BeginRead().GetTable("us-east-1", "orders")->ttl_enabled);
  EXPECT_FALSE(old_def->ttl_enabled);
}

}  // namespace
}  // namespace ddb
