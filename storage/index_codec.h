// Index codec: the layout of secondary-index entries in the indexes
// database, which items an index holds, and the entry changes one item write
// makes (the index delta), so that index maintenance is one pure function
// applied inside the item write's own transaction.
//
// Format version 1 (kIndexKeyFormatVersion). value(x) is key_codec.h's
// order-preserving, prefix-free encoding of one key value.
//
//   index_key  := table_id:8 index_id:4 (big-endian) hash:4 ipk_part
//                 isk_part base_part
//   ipk        := value(h1) value(h2) ...   the index's HASH attributes in
//                                           KeySchema order (1..4)
//   hash       := top 32 bits of XXH3_64(ipk)   (PartitionHash)
//   ipk_part   := 0x01 ipk                  if |ipk| <= 100
//               | 0x02 XXH3_128(ipk):16     otherwise
//   isk        := value(s1) value(s2) ...   the RANGE attributes in order
//                                           (0..4); empty without any
//   isk_part   := bounded(isk, 200)         key_codec.h's sk_part rule
//   base_part  := bounded(item_key[8:], 194)
//       item_key is the base item's key (key_codec.h) without its table id.
//   entry value := item_key (the whole base item key)
//
// Every value encoding is prefix-free, so concatenations order as tuples:
// entries sort by the index hash key, then by the sort attributes left to
// right, then by the base key. Equal index keys therefore have one stable
// order, and a resume that re-encodes LastEvaluatedKey (index keys plus base
// keys) lands exactly after the last entry read. Budgets: 16 + 101 + 200 +
// 194 = 511 = MDB_MAXKEYSIZE. Bounded parts are exact up to 183 and 177
// bytes; beyond that, keys sharing those bytes sort by digest, and readers
// compare the fetched base item's real values.
//
// An item is in an index only when it has every index key attribute with the
// type the index declares (sparse indexes). Entries carry only the base key:
// readers fetch the base item in the same transaction and project it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "storage/table_def.h"

namespace ddb {

inline constexpr uint8_t kIndexKeyFormatVersion = 1;
inline constexpr size_t kIndexKeyHeaderSize = 16;  // table, index, hash
inline constexpr size_t kIndexSortKeyBudget = 200;
inline constexpr size_t kIndexBaseKeyBudget = 194;
// The longest isk kept whole (AppendBoundedKeyPart keeps budget - 17).
inline constexpr size_t kIndexInlineSortKey = kIndexSortKeyBudget - 17;

// table_id:8 index_id:4: the common prefix of every entry of one index.
std::string IndexKeyPrefix(uint64_t table_id, uint32_t index_id);

// The common prefix of the entries whose index hash attributes have
// `hash_values` (in KeySchema order). REQUIRES: one value per hash
// attribute, each S, N or B.
std::string IndexPartitionPrefix(uint64_t table_id, const IndexDef& index,
                                 const std::vector<AttributeValue>& values);

// Whether `item` has every key attribute of `index` with the declared type.
bool ItemInIndex(const IndexDef& index, const Item& item);

// The entry key of `item` in `index`. `item_key` is the item's full key in
// the items database. REQUIRES: ItemInIndex(index, item).
std::string EncodeIndexKey(const IndexDef& index, const Item& item,
                           std::string_view item_key);

// The attributes of `item` an index stores: the table's and the index's key
// attributes, plus every other attribute (ALL) or the NonKeyAttributes
// (INCLUDE). Used for IndexSizeBytes and for what a read returns.
Item ProjectForIndex(const TableDef& table, const IndexDef& index,
                     const Item& item);

// What one item write does to one index. `old_key` is the entry to remove,
// `new_key` the entry to write; when both are set and equal the entry stays
// where it is (only its projected item changed).
struct IndexChange {
  const IndexDef* index = nullptr;
  std::optional<std::string> old_key;
  std::optional<std::string> new_key;
};

// The index delta of replacing `old_item` by `new_item` (either may be null:
// an insert or a delete) at item key `item_key`: one IndexChange per index
// the write touches, in table.indexes order; indexes holding neither item
// are left out.
std::vector<IndexChange> ComputeIndexDelta(const TableDef& table,
                                           std::string_view item_key,
                                           const Item* old_item,
                                           const Item* new_item);

}  // namespace ddb
