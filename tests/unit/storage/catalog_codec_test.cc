// The catalog encoding's compatibility: a table stored by an older format
// version must still decode, with the newer fields at their defaults.
#include "storage/catalog_codec.h"

#include <gtest/gtest.h>

namespace ddb {
namespace {

TableDef SampleTable() {
  TableDef t;
  t.id = 7;
  t.ns = "us-east-1";
  t.name = "orders";
  t.hash_key = {"pk", AttrType::kS};
  t.attribute_definitions = {{"pk", AttrType::kS}};
  t.region = "us-east-1";
  t.table_uuid = "uuid";
  return t;
}

TEST(CatalogCodecVersionTest, TagsAndTimeToLiveRoundTrip) {
  TableDef t = SampleTable();
  t.tags = {{"env", "test"}, {"a", ""}};
  t.ttl_enabled = true;
  t.ttl_attribute = "expiresAt";
  TableDef back = DecodeTableDef(EncodeTableDef(t));
  EXPECT_EQ(back.tags, t.tags);
  EXPECT_TRUE(back.ttl_enabled);
  EXPECT_EQ(back.ttl_attribute, "expiresAt");
}

TEST(CatalogCodecVersionTest, Version2EntryStillDecodes) {
  // A version-2 entry is the version-3 encoding of a table without tags or
  // TimeToLive minus the three bytes those add (count 0, disabled, empty
  // attribute name), under version byte 2.
  TableDef t = SampleTable();
  std::string bytes = EncodeTableDef(t);
  ASSERT_EQ(bytes[0], 3);
  ASSERT_EQ(bytes.substr(bytes.size() - 3), std::string("\0\0\0", 3));
  bytes.resize(bytes.size() - 3);
  bytes[0] = 2;
  TableDef back = DecodeTableDef(bytes);
  EXPECT_EQ(back.name, "orders");
  EXPECT_TRUE(back.tags.empty());
  EXPECT_FALSE(back.ttl_enabled);
  EXPECT_EQ(back.ttl_attribute, "");
}

TEST(CatalogCodecVersionTest, UnknownVersionIsRejected) {
  std::string bytes = EncodeTableDef(SampleTable());
  bytes[0] = 4;
  EXPECT_THROW(DecodeTableDef(bytes), std::runtime_error);
  bytes[0] = 0;
  EXPECT_THROW(DecodeTableDef(bytes), std::runtime_error);
}

}  // namespace
}  // namespace ddb
