#include "storage/index_scan.h"

#include "storage/coding.h"
#include "storage/index_codec.h"
#include "storage/key_codec.h"

namespace ddb {
namespace {

uint64_t SegmentStart(uint64_t segment, uint64_t total) {
  return (segment << 32) / total;
}

bool Matches(const KeyAttribute& key, const SortKeyCondition& condition,
             const Item& item) {
  auto it = item.find(key.name);
  return it != item.end() && SortKeyMatches(condition, it->second);
}

bool Equals(const KeyAttribute& key, const AttributeValue& value,
            const Item& item) {
  return Matches(key, {SortKeyCondition::Op::kEq, value, {}}, item);
}

}  // namespace

RangeScan IndexFullScan(const TableDef& table, const IndexDef& index) {
  RangeScan scan;
  scan.index = &index;
  scan.lower = IndexKeyPrefix(table.id, index.id);
  scan.upper = PrefixSuccessor(scan.lower);
  return scan;
}

RangeScan IndexSegmentScan(const TableDef& table, const IndexDef& index,
                           uint64_t segment, uint64_t total) {
  RangeScan scan = IndexFullScan(table, index);
  const std::string prefix = IndexKeyPrefix(table.id, index.id);
  scan.lower = prefix;
  AppendFixed32BE(static_cast<uint32_t>(SegmentStart(segment, total)),
                  &scan.lower);
  if (segment + 1 < total) {
    scan.upper = prefix;
    AppendFixed32BE(static_cast<uint32_t>(SegmentStart(segment + 1, total)),
                    &scan.upper);
  }
  return scan;
}

bool IndexKeyInSegment(std::string_view index_key, uint64_t segment,
                       uint64_t total) {
  uint64_t hash = 0;
  for (size_t i = 12; i < kIndexKeyHeaderSize && i < index_key.size(); ++i) {
    hash = (hash << 8) | static_cast<uint8_t>(index_key[i]);
  }
  return hash >= SegmentStart(segment, total) &&
         (segment + 1 == total || hash < SegmentStart(segment + 1, total));
}

RangeScan IndexQuery(const TableDef& table, const IndexDef& index,
                     const IndexKeyQuery& query) {
  RangeScan scan;
  scan.index = &index;
  const std::string partition =
      IndexPartitionPrefix(table.id, index, query.hash_values);
  std::string fixed;  // the equal sort attributes' encodings
  for (const AttributeValue& value : query.sort_equal) {
    AppendKeyValue(value, &fixed);
  }
  // Bounds on the sort bytes that follow the partition. Sort encodings are
  // prefix-free, so "every key starting with b" is [b, successor(b)). Past
  // the inline length the stored part is truncated, so the bound falls back
  // to the inline bytes (a superset) and exact_match decides.
  auto lower_at = [&](std::string sort_bytes, bool after) {
    if (sort_bytes.size() > kIndexInlineSortKey) {
      sort_bytes.resize(kIndexInlineSortKey);
      return partition + sort_bytes;
    }
    return after ? PrefixSuccessor(partition + sort_bytes)
                 : partition + sort_bytes;
  };
  auto upper_at = [&](std::string sort_bytes, bool after) {
    if (sort_bytes.size() > kIndexInlineSortKey) {
      sort_bytes.resize(kIndexInlineSortKey);
      return PrefixSuccessor(partition + sort_bytes);
    }
    return after ? PrefixSuccessor(partition + sort_bytes)
                 : partition + sort_bytes;
  };
  scan.lower = lower_at(fixed, false);
  scan.upper = upper_at(fixed, true);
  if (query.next) {
    const SortKeyCondition& c = *query.next;
    const std::string value = fixed + EncodeKeyValue(c.value);
    using Op = SortKeyCondition::Op;
    switch (c.op) {
      case Op::kEq:
        scan.lower = lower_at(value, false);
        scan.upper = upper_at(value, true);
        break;
      case Op::kLt:
        scan.upper = upper_at(value, false);
        break;
      case Op::kLe:
        scan.upper = upper_at(value, true);
        break;
      case Op::kGt:
        scan.lower = lower_at(value, true);
        break;
      case Op::kGe:
        scan.lower = lower_at(value, false);
        break;
      case Op::kBetween:
        scan.lower = lower_at(value, false);
        scan.upper = upper_at(fixed + EncodeKeyValue(c.value2), true);
        break;
      case Op::kBeginsWith: {
        // A value starts with p exactly when its encoding starts with p's
        // encoding minus the 00 00 terminator (escaping is a prefix code).
        std::string open = value;
        open.resize(open.size() - 2);
        scan.lower = lower_at(open, false);
        scan.upper = upper_at(open, true);
        break;
      }
    }
  }
  scan.exact_match = [&index, query](const Item& item) {
    return IndexQueryMatches(index, query, item);
  };
  return scan;
}

bool IndexQueryMatches(const IndexDef& index, const IndexKeyQuery& query,
                       const Item& item) {
  for (size_t i = 0; i < index.hash_keys.size(); ++i) {
    if (!Equals(index.hash_keys[i], query.hash_values[i], item)) return false;
  }
  for (size_t i = 0; i < query.sort_equal.size(); ++i) {
    if (!Equals(index.range_keys[i], query.sort_equal[i], item)) return false;
  }
  if (query.next &&
      !Matches(index.range_keys[query.sort_equal.size()], *query.next, item)) {
    return false;
  }
  return true;
}

}  // namespace ddb
