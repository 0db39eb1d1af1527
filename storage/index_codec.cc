#include "storage/index_codec.h"

#include <xxhash.h>

#include <stdexcept>

#include "storage/coding.h"
#include "storage/key_codec.h"

namespace ddb {
namespace {

constexpr uint8_t kPartitionInline = 0x01;
constexpr uint8_t kPartitionDigest = 0x02;

bool HasKey(const Item& item, const KeyAttribute& key) {
  auto it = item.find(key.name);
  return it != item.end() && it->second.type == key.type;
}

void CopyAttribute(const Item& item, const std::string& name, Item* out) {
  auto it = item.find(name);
  if (it != item.end()) out->insert_or_assign(name, it->second);
}

}  // namespace

std::string IndexKeyPrefix(uint64_t table_id, uint32_t index_id) {
  std::string out;
  AppendFixed64BE(table_id, &out);
  AppendFixed32BE(index_id, &out);
  return out;
}

std::string IndexPartitionPrefix(uint64_t table_id, const IndexDef& index,
                                 const std::vector<AttributeValue>& values) {
  if (values.size() != index.hash_keys.size()) {
    throw std::invalid_argument("index " + index.name +
                                ": wrong number of hash key values");
  }
  std::string ipk;
  for (const AttributeValue& value : values) AppendKeyValue(value, &ipk);
  std::string out = IndexKeyPrefix(table_id, index.id);
  AppendFixed32BE(PartitionHash(ipk), &out);
  // The same rule as the items database: only a partition's identity
  // matters, so a long one is replaced by its digest.
  if (ipk.size() <= kMaxInlinePartitionKey) {
    out.push_back(static_cast<char>(kPartitionInline));
    out.append(ipk);
  } else {
    out.push_back(static_cast<char>(kPartitionDigest));
    XXH128_hash_t h = XXH3_128bits(ipk.data(), ipk.size());
    AppendFixed64BE(h.high64, &out);
    AppendFixed64BE(h.low64, &out);
  }
  return out;
}

bool ItemInIndex(const IndexDef& index, const Item& item) {
  for (const KeyAttribute& key : index.hash_keys) {
    if (!HasKey(item, key)) return false;
  }
  for (const KeyAttribute& key : index.range_keys) {
    if (!HasKey(item, key)) return false;
  }
  return true;
}

std::string EncodeIndexKey(const IndexDef& index, const Item& item,
                           std::string_view item_key) {
  if (item_key.size() < 8) throw std::invalid_argument("short item key");
  std::vector<AttributeValue> hash_values;
  hash_values.reserve(index.hash_keys.size());
  for (const KeyAttribute& key : index.hash_keys) {
    hash_values.push_back(item.at(key.name));
  }
  const uint64_t table_id = DecodeFixed64BE(item_key.data());
  std::string out = IndexPartitionPrefix(table_id, index, hash_values);
  if (!index.range_keys.empty()) {
    std::string isk;
    for (const KeyAttribute& key : index.range_keys) {
      AppendKeyValue(item.at(key.name), &isk);
    }
    AppendBoundedKeyPart(isk, kIndexSortKeyBudget, &out);
  }
  AppendBoundedKeyPart(item_key.substr(8), kIndexBaseKeyBudget, &out);
  return out;
}

Item ProjectForIndex(const TableDef& table, const IndexDef& index,
                     const Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  Item out;
  CopyAttribute(item, table.hash_key.name, &out);
  if (table.range_key) CopyAttribute(item, table.range_key->name, &out);
  for (const KeyAttribute& key : index.hash_keys) {
    CopyAttribute(item, key.name, &out);
  }
  for (const KeyAttribute& key : index.range_keys) {
    CopyAttribute(item, key.name, &out);
  }
  if (index.projection == ProjectionType::kInclude) {
    for (const std::string& name : index.non_key_attributes) {
      CopyAttribute(item, name, &out);
    }
  }
  return out;
}

std::vector<IndexChange> ComputeIndexDelta(const TableDef& table,
                                           std::string_view item_key,
                                           const Item* old_item,
                                           const Item* new_item) {
  std::vector<IndexChange> changes;
  for (const IndexDef& index : table.indexes) {
    IndexChange change;
    change.index = &index;
    if (old_item != nullptr && ItemInIndex(index, *old_item)) {
      change.old_key = EncodeIndexKey(index, *old_item, item_key);
    }
    if (new_item != nullptr && ItemInIndex(index, *new_item)) {
      change.new_key = EncodeIndexKey(index, *new_item, item_key);
    }
    if (change.old_key || change.new_key) changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace ddb
