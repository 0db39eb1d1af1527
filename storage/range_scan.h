// Range scanner: one page of a Query or Scan over the items database, read in
// key order (forward or backward) from a read transaction, stopping where
// DynamoDB stops a page: after `limit` items read or once the items read
// reach 1 MiB by DynamoDB's item-size rules, whichever comes first. A resume
// seeks strictly past the previous page's last key, so every page costs the
// same however deep into the table it is, and memory is bounded by the page.
//
// Ranges are built from key_codec.h's item_key layout:
//   whole table       table_id:8 *
//   Scan segment      table_id:8 hash:4 in [lo, hi)   (hash ranges, so a
//                     partition never straddles two segments)
//   Query partition   table_id:8 hash:4 pk_part  sk_part in a sort-key range
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "storage/storage.h"
#include "storage/table_def.h"

namespace ddb {

// DynamoDB's page budget: 1 MB of items read (Developer Guide, "Paginating
// table query results").
inline constexpr size_t kPageByteBudget = size_t{1} << 20;

// A sort-key condition of a Query (the operators KeyConditionExpression and
// KeyConditions allow on a sort key).
struct SortKeyCondition {
  enum class Op : uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kEq;
  AttributeValue value;   // the operand (BETWEEN: the lower bound)
  AttributeValue value2;  // BETWEEN: the upper bound
};

// What one page reads. Build it with TableScan/SegmentScan/PartitionQuery,
// then set the paging fields.
struct RangeScan {
  // Item-key bounds: [lower, upper); an empty `upper` means "to the end".
  std::string lower;
  std::string upper;

  bool forward = true;
  // An encoded item key (EncodeItemKey of ExclusiveStartKey): the page
  // starts strictly after it in the direction of travel.
  std::optional<std::string> start_after;
  size_t limit = 0;  // items read; 0 = no limit
  size_t byte_budget = kPageByteBudget;

  // Set by PartitionQuery when byte bounds alone are not exact (a partition
  // key long enough to be digested, or a sort-key operand long enough to be
  // truncated): items outside the exact range are then skipped unread.
  std::optional<AttributeValue> exact_pk;
  std::optional<SortKeyCondition> exact_sk;
  const TableDef* table = nullptr;  // REQUIRES: set when exact_* is set

  // A read of a secondary index (storage/index_scan.h): the bounds are
  // index keys, the cursor walks the indexes database, and each entry's base
  // item is fetched from the items database in the same transaction.
  const IndexDef* index = nullptr;
  // When set, items it refuses are skipped unread (an index read compares
  // the fetched item's real key values, which bounded key parts may not
  // separate exactly).
  std::function<bool(const Item&)> exact_match;
};

// Every item of `table`, in item-key (hash) order.
RangeScan TableScan(const TableDef& table);

// Segment `segment` of `total` (REQUIRES: 0 <= segment < total, total in
// [1, 2^32]): the partitions whose hash lies in
// [segment * 2^32 / total, (segment + 1) * 2^32 / total). Disjoint, and
// together they cover the table.
RangeScan SegmentScan(const TableDef& table, uint64_t segment, uint64_t total);

// Whether an encoded item key of `table` falls in segment `segment`.
bool KeyInSegment(std::string_view item_key, uint64_t segment, uint64_t total);

// The items of partition `pk` whose sort key satisfies `sk` (every item of
// the partition when absent). REQUIRES: pk and sk's values have the key
// attributes' types; begins_with only on S or B.
RangeScan PartitionQuery(const TableDef& table, const AttributeValue& pk,
                         const std::optional<SortKeyCondition>& sk);

// Whether `value` satisfies `condition` (S and B by unsigned bytes, N by
// value), the exact test behind a Query's sort-key range.
bool SortKeyMatches(const SortKeyCondition& condition,
                    const AttributeValue& value);

struct RangeScanResult {
  size_t scanned = 0;     // items read (ScannedCount)
  size_t bytes_read = 0;  // their DynamoDB sizes summed (capacity, budget)
  // The page ended on the limit or the byte budget rather than at the end of
  // the range: the caller returns LastEvaluatedKey (the last item read).
  bool stopped_early = false;
};

// The walk every page reader shares: SeekRangeStart puts `cursor` on the
// first entry of `scan` in its direction (after start_after when set) and
// returns whether it rests on one; KeyInRange says whether a key reached by
// stepping in that direction is still inside the range.
bool SeekRangeStart(Cursor& cursor, const RangeScan& scan);
bool KeyInRange(const RangeScan& scan, std::string_view key);

// Reads one page, calling `visit` with each item read, in order.
// REQUIRES: `txn` outlives the call; `visit` does not keep references into
// the item past its return.
RangeScanResult ReadRange(const Txn& txn, const RangeScan& scan,
                          const std::function<void(const Item&)>& visit);

// The smallest byte string greater than every string starting with `prefix`,
// or "" when there is none (prefix is all 0xFF).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace ddb
