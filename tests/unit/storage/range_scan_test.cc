// The range scanner on its own: bounds, direction, start-after seeks, the
// limit and byte budget, and segments that partition the hash space.
#include "storage/range_scan.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage/key_codec.h"

namespace ddb {
namespace {

class RangeScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.in_memory = true;
    options.map_size = uint64_t{1} << 30;
    storage_ = Storage::Open(options);
    table_.ns = "ns";
    table_.name = "t";
    table_.hash_key = {"pk", AttrType::kS};
    table_.range_key = KeyAttribute{"sk", AttrType::kN};
    storage_->WriteSync([&](Txn& txn) { txn.CreateTable(table_); });
  }
  void Put(const std::string& pk, int sk) {
    storage_->WriteSync([&](Txn& txn) {
      txn.PutItem(table_,
                  Item{{"pk", AttributeValue::String(pk)},
                       {"sk", AttributeValue::Number(std::to_string(sk))}});
    });
  }
  std::vector<std::string> Read(const RangeScan& scan,
                                RangeScanResult* result = nullptr) {
    std::vector<std::string> out;
    Txn txn = storage_->BeginRead();
    RangeScanResult r = ReadRange(txn, scan, [&](const Item& item) {
      out.push_back(item.at("pk").scalar + "/" + item.at("sk").scalar);
    });
    if (result) *result = r;
    return out;
  }

  std::unique_ptr<Storage> storage_;
  TableDef table_;
};

using Strings = std::vector<std::string>;

TEST_F(RangeScanTest, PartitionInOrderBothWays) {
  for (int sk : {3, -1, 2}) Put("p", sk);
  Put("q", 1);
  RangeScan scan = PartitionQuery(table_, AttributeValue::String("p"), {});
  EXPECT_EQ(Read(scan), (Strings{"p/-1", "p/2", "p/3"}));
  scan.forward = false;
  EXPECT_EQ(Read(scan), (Strings{"p/3", "p/2", "p/-1"}));
}

TEST_F(RangeScanTest, StartAfterSeeksBothWays) {
  for (int sk = 1; sk <= 5; ++sk) Put("p", sk);
  RangeScan scan = PartitionQuery(table_, AttributeValue::String("p"), {});
  scan.start_after =
      EncodeItemKey(table_, Item{{"pk", AttributeValue::String("p")},
                                 {"sk", AttributeValue::Number("3")}});
  EXPECT_EQ(Read(scan), (Strings{"p/4", "p/5"}));
  scan.forward = false;
  EXPECT_EQ(Read(scan), (Strings{"p/2", "p/1"}));
}

TEST_F(RangeScanTest, LimitAndBudgetStopEarly) {
  for (int sk = 1; sk <= 5; ++sk) Put("p", sk);
  RangeScan scan = PartitionQuery(table_, AttributeValue::String("p"), {});
  scan.limit = 2;
  RangeScanResult result;
  EXPECT_EQ(Read(scan, &result).size(), 2u);
  EXPECT_TRUE(result.stopped_early);
  scan.limit = 0;
  scan.byte_budget = 1;  // the first item already reaches it
  EXPECT_EQ(Read(scan, &result).size(), 1u);
  EXPECT_TRUE(result.stopped_early);
  scan.byte_budget = kPageByteBudget;
  EXPECT_EQ(Read(scan, &result).size(), 5u);
  EXPECT_FALSE(result.stopped_early);
}

TEST_F(RangeScanTest, SortKeyBounds) {
  for (int sk = 1; sk <= 5; ++sk) Put("p", sk);
  using Op = SortKeyCondition::Op;
  auto n = [](int v) { return AttributeValue::Number(std::to_string(v)); };
  auto keys = [&](SortKeyCondition c) {
    return Read(PartitionQuery(table_, AttributeValue::String("p"), c));
  };
  EXPECT_EQ(keys({Op::kGt, n(3), {}}), (Strings{"p/4", "p/5"}));
  EXPECT_EQ(keys({Op::kLe, n(2), {}}), (Strings{"p/1", "p/2"}));
  EXPECT_EQ(keys({Op::kBetween, n(2), n(3)}), (Strings{"p/2", "p/3"}));
  EXPECT_EQ(keys({Op::kEq, n(9), {}}), Strings{});
}

TEST_F(RangeScanTest, SegmentsPartitionTheTable) {
  for (int i = 0; i < 300; ++i) Put("p" + std::to_string(i), 1);
  for (uint64_t total : {1u, 2u, 5u, 13u}) {
    std::set<std::string> all;
    for (uint64_t s = 0; s < total; ++s) {
      for (const std::string& key : Read(SegmentScan(table_, s, total))) {
        EXPECT_TRUE(all.insert(key).second);
        std::string pk = key.substr(0, key.find('/'));
        EXPECT_TRUE(KeyInSegment(
            EncodeItemKey(table_, Item{{"pk", AttributeValue::String(pk)},
                                       {"sk", AttributeValue::Number("1")}}),
            s, total));
      }
    }
    EXPECT_EQ(all.size(), 300u);
  }
}

TEST(PrefixSuccessorTest, IncrementsLastNonFfByte) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
}

}  // namespace
}  // namespace ddb
