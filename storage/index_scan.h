// Index scans: the RangeScans that read a secondary index (index_codec.h's
// index_key layout) for Query and Scan with IndexName. ReadRange
// (range_scan.h) runs them like table scans, fetching each entry's base
// item.
//
//   whole index       table_id:8 index_id:4 *
//   Scan segment      table_id:8 index_id:4 hash:4 in [lo, hi)
//   Query             table_id:8 index_id:4 hash:4 ipk_part, then the sort
//                     attributes: equality on a leading run of them and an
//                     optional range or begins_with on the next one
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "storage/range_scan.h"
#include "storage/table_def.h"

namespace ddb {

// Every entry of `index`, in index-key (hash) order.
RangeScan IndexFullScan(const TableDef& table, const IndexDef& index);

// Segment `segment` of `total` of the index, by index hash (as SegmentScan).
RangeScan IndexSegmentScan(const TableDef& table, const IndexDef& index,
                           uint64_t segment, uint64_t total);

// Whether an encoded index key falls in segment `segment` of `total`.
bool IndexKeyInSegment(std::string_view index_key, uint64_t segment,
                       uint64_t total);

// A Query's key condition on an index: equality on every hash attribute,
// equality on the first sort_equal.size() sort attributes, then optionally
// `next` on the following one.
struct IndexKeyQuery {
  std::vector<AttributeValue> hash_values;  // one per hash attribute
  std::vector<AttributeValue> sort_equal;
  std::optional<SortKeyCondition> next;
};

// REQUIRES: values have the key attributes' types; sort_equal.size() +
// (next ? 1 : 0) <= index.range_keys.size(); begins_with only on S or B.
RangeScan IndexQuery(const TableDef& table, const IndexDef& index,
                     const IndexKeyQuery& query);

// Whether `item` satisfies `query` exactly (by value).
bool IndexQueryMatches(const IndexDef& index, const IndexKeyQuery& query,
                       const Item& item);

}  // namespace ddb
