// Index codec: entry key order (index hash, sort attributes left to right,
// then base key) and the index delta of one item write.
#include "storage/index_codec.h"

#include <gtest/gtest.h>

#include "storage/key_codec.h"

namespace ddb {
namespace {

TableDef MakeTable() {
  TableDef table;
  table.id = 7;
  table.hash_key = {"pk", AttrType::kS};
  IndexDef gsi;
  gsi.id = 1;
  gsi.name = "byGroup";
  gsi.hash_keys = {{"g", AttrType::kS}};
  gsi.range_keys = {{"a", AttrType::kN}, {"b", AttrType::kS}};
  table.indexes.push_back(gsi);
  IndexDef sparse;
  sparse.id = 2;
  sparse.name = "byEmail";
  sparse.hash_keys = {{"email", AttrType::kS}};
  table.indexes.push_back(sparse);
  return table;
}

Item MakeItem(const std::string& pk, const std::string& a,
              const std::string& b) {
  return {{"pk", AttributeValue::String(pk)},
          {"g", AttributeValue::String("G")},
          {"a", AttributeValue::Number(a)},
          {"b", AttributeValue::String(b)}};
}

std::string Key(const TableDef& table, const Item& item) {
  return EncodeIndexKey(table.indexes[0], item, EncodeItemKey(table, item));
}

TEST(IndexCodecTest, EntriesSortBySortAttributesLeftToRightThenBaseKey) {
  const TableDef table = MakeTable();
  // In the expected order: a numerically, then b, then the base key.
  const std::vector<Item> ordered = {
      MakeItem("z", "-5", "b"),
      MakeItem("y", "2", "a"),
      MakeItem("x", "2", "ab"),
      MakeItem("p1", "10", ""),
  };
  std::vector<Item> items = ordered;
  items[3]["b"] = AttributeValue::String("c");
  for (size_t i = 0; i + 1 < items.size(); ++i) {
    EXPECT_LT(Key(table, items[i]), Key(table, items[i + 1])) << i;
  }
  // Equal index keys: a stable order by base key, all distinct.
  Item first = MakeItem("k1", "1", "s");
  Item second = MakeItem("k2", "1", "s");
  EXPECT_NE(Key(table, first), Key(table, second));
  EXPECT_EQ(Key(table, first).substr(0, kIndexKeyHeaderSize),
            Key(table, second).substr(0, kIndexKeyHeaderSize));
  EXPECT_LE(Key(table, first).size(), kMaxLmdbKeySize);
}

TEST(IndexCodecTest, LongKeysStayWithinLmdbLimit) {
  const TableDef table = MakeTable();
  Item item = MakeItem(std::string(2000, 'p'), "1", std::string(1000, 'b'));
  item["g"] = AttributeValue::String(std::string(2000, 'g'));
  EXPECT_LE(Key(table, item).size(), kMaxLmdbKeySize);
}

TEST(IndexCodecTest, DeltaPutsDeletesAndKeeps) {
  const TableDef table = MakeTable();
  const Item old_item = MakeItem("k", "1", "s");
  const std::string item_key = EncodeItemKey(table, old_item);

  // Insert: one put into the index the item belongs to; sparse index left
  // out.
  auto changes = ComputeIndexDelta(table, item_key, nullptr, &old_item);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].index->name, "byGroup");
  EXPECT_FALSE(changes[0].old_key);
  ASSERT_TRUE(changes[0].new_key);

  // A non-key change keeps the entry where it is.
  Item touched = old_item;
  touched["other"] = AttributeValue::String("x");
  changes = ComputeIndexDelta(table, item_key, &old_item, &touched);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(*changes[0].old_key, *changes[0].new_key);

  // A changed sort attribute moves it; a new email adds a sparse entry.
  Item moved = old_item;
  moved["a"] = AttributeValue::Number("2");
  moved["email"] = AttributeValue::String("e@x");
  changes = ComputeIndexDelta(table, item_key, &old_item, &moved);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_NE(*changes[0].old_key, *changes[0].new_key);
  EXPECT_FALSE(changes[1].old_key);
  EXPECT_TRUE(changes[1].new_key);

  // Removing an index key attribute (or the wrong type) removes the entry.
  Item removed = moved;
  removed.erase("b");
  removed["email"] = AttributeValue::Number("1");
  changes = ComputeIndexDelta(table, item_key, &moved, &removed);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].old_key);
  EXPECT_FALSE(changes[0].new_key);
  EXPECT_TRUE(changes[1].old_key);
  EXPECT_FALSE(changes[1].new_key);

  // Delete: only deletes.
  changes = ComputeIndexDelta(table, item_key, &old_item, nullptr);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].old_key);
  EXPECT_FALSE(changes[0].new_key);
}

TEST(IndexCodecTest, ProjectionKeepsKeysAndIncludedAttributes) {
  TableDef table = MakeTable();
  table.indexes[0].projection = ProjectionType::kInclude;
  table.indexes[0].non_key_attributes = {"note"};
  Item item = MakeItem("k", "1", "s");
  item["note"] = AttributeValue::String("n");
  item["big"] = AttributeValue::String("b");
  Item projected = ProjectForIndex(table, table.indexes[0], item);
  EXPECT_EQ(projected.size(), 5u);
  EXPECT_FALSE(projected.contains("big"));
}

}  // namespace
}  // namespace ddb
