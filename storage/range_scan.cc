#include "storage/range_scan.h"

#include <memory>

#include "storage/coding.h"
#include "storage/item_codec.h"
#include "storage/key_codec.h"

namespace ddb {
namespace {

// The longest sort-key encoding an item key holds untruncated
// (AppendBoundedKeyPart keeps `budget - 17` bytes before the digest).
constexpr size_t kInlineSortKey = kSortKeyBudget - 1 - kKeyDigestSize;

// The leading bytes of a sort-key encoding as they appear in the item key,
// and whether they are the whole encoding.
struct SortKeyBytes {
  std::string bytes;
  bool whole = true;
};

SortKeyBytes StoredPrefix(std::string encoded) {
  if (encoded.size() <= kInlineSortKey) return {std::move(encoded), true};
  encoded.resize(kInlineSortKey);
  return {std::move(encoded), false};
}

// The smallest string greater than `s` itself: every other key greater than
// a whole (prefix-free) encoding sorts at or after s + "\0".
std::string JustAfter(std::string s) {
  s.push_back('\0');
  return s;
}

uint32_t HashOfKey(std::string_view item_key) {
  uint32_t hash = 0;
  for (size_t i = 8; i < kItemKeyHeaderSize && i < item_key.size(); ++i) {
    hash = (hash << 8) | static_cast<uint8_t>(item_key[i]);
  }
  return hash;
}

uint64_t SegmentStart(uint64_t segment, uint64_t total) {
  return (segment << 32) / total;
}

// The encoding of a string or binary value without its 00 00 terminator:
// the bytes every value it is a prefix of starts with.
std::string OpenEncoding(const AttributeValue& value) {
  std::string encoded = EncodeKeyValue(value);
  encoded.resize(encoded.size() - 2);
  return encoded;
}

std::optional<Item> FetchItemByKey(Cursor& items, std::string_view item_key) {
  if (!items.Seek(item_key) || items.key() != item_key) return std::nullopt;
  return DecodeItem(items.value());
}

}  // namespace

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<uint8_t>(out.back()) == 0xFF) {
    out.pop_back();
  }
  if (!out.empty()) out.back() = static_cast<char>(out.back() + 1);
  return out;
}

RangeScan TableScan(const TableDef& table) {
  RangeScan scan;
  scan.lower = TableKeyPrefix(table.id);
  scan.upper = PrefixSuccessor(scan.lower);
  return scan;
}

RangeScan SegmentScan(const TableDef& table, uint64_t segment, uint64_t total) {
  RangeScan scan = TableScan(table);
  const std::string prefix = TableKeyPrefix(table.id);
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

bool KeyInSegment(std::string_view item_key, uint64_t segment, uint64_t total) {
  const uint64_t hash = HashOfKey(item_key);
  return hash >= SegmentStart(segment, total) &&
         (segment + 1 == total || hash < SegmentStart(segment + 1, total));
}

RangeScan PartitionQuery(const TableDef& table, const AttributeValue& pk,
                         const std::optional<SortKeyCondition>& sk) {
  RangeScan scan;
  const std::string partition = PartitionKeyPrefix(table.id, pk);
  scan.lower = partition;
  scan.upper = PrefixSuccessor(partition);
  // A digested partition key can (with negligible probability) be shared by
  // another partition; the exact comparison keeps it out.
  if (EncodeKeyValue(pk).size() > kMaxInlinePartitionKey) {
    scan.exact_pk = pk;
    scan.table = &table;
  }
  if (!sk) return scan;

  bool exact = true;
  // Lower bound: at or after `value` (inclusive) or strictly after it.
  auto set_lower = [&](const AttributeValue& value, bool inclusive) {
    SortKeyBytes part = StoredPrefix(EncodeKeyValue(value));
    exact = exact && part.whole;
    scan.lower =
        partition + (part.whole && !inclusive ? JustAfter(std::move(part.bytes))
                                              : part.bytes);
  };
  // Upper bound (exclusive): below `value`, or at or below it.
  auto set_upper = [&](const AttributeValue& value, bool inclusive) {
    SortKeyBytes part = StoredPrefix(EncodeKeyValue(value));
    exact = exact && part.whole;
    if (!part.whole) {
      // Truncated keys sharing these bytes sort by digest: take them all.
      scan.upper = PrefixSuccessor(partition + part.bytes);
    } else {
      scan.upper = partition +
                   (inclusive ? JustAfter(std::move(part.bytes)) : part.bytes);
    }
  };
  using Op = SortKeyCondition::Op;
  switch (sk->op) {
    case Op::kEq:
      set_lower(sk->value, true);
      set_upper(sk->value, true);
      break;
    case Op::kLt:
      set_upper(sk->value, false);
      break;
    case Op::kLe:
      set_upper(sk->value, true);
      break;
    case Op::kGt:
      set_lower(sk->value, false);
      break;
    case Op::kGe:
      set_lower(sk->value, true);
      break;
    case Op::kBetween:
      set_lower(sk->value, true);
      set_upper(sk->value2, true);
      break;
    case Op::kBeginsWith: {
      // Escaping is a prefix code, so a value starts with `p` exactly when
      // its encoding starts with p's open encoding.
      SortKeyBytes part = StoredPrefix(OpenEncoding(sk->value));
      exact = part.whole;
      scan.lower = partition + part.bytes;
      std::string upper = PrefixSuccessor(scan.lower);
      if (!upper.empty()) scan.upper = std::move(upper);
      break;
    }
  }
  if (!exact) {
    scan.exact_sk = sk;
    scan.table = &table;
  }
  return scan;
}

bool SortKeyMatches(const SortKeyCondition& condition,
                    const AttributeValue& value) {
  if (value.type != condition.value.type) return false;
  using Op = SortKeyCondition::Op;
  if (condition.op == Op::kBeginsWith) {
    return value.scalar.starts_with(condition.value.scalar);
  }
  // The key encoding orders exactly as DynamoDB does (numbers by value).
  const std::string encoded = EncodeKeyValue(value);
  const int c = encoded.compare(EncodeKeyValue(condition.value));
  switch (condition.op) {
    case Op::kEq:
      return c == 0;
    case Op::kLt:
      return c < 0;
    case Op::kLe:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGe:
      return c >= 0;
    case Op::kBetween:
      return c >= 0 && encoded <= EncodeKeyValue(condition.value2);
    case Op::kBeginsWith:
      break;
  }
  return false;
}

bool KeyInRange(const RangeScan& scan, std::string_view key) {
  return scan.forward ? (scan.upper.empty() || key < scan.upper)
                      : key >= scan.lower;
}

bool SeekRangeStart(Cursor& cursor, const RangeScan& scan) {
  const std::string_view lower = scan.lower;
  const std::string_view upper = scan.upper;
  auto below_upper = [&](std::string_view key) {
    return upper.empty() || key < upper;
  };
  bool on = false;
  if (scan.forward) {
    if (scan.start_after && *scan.start_after >= lower) {
      on = cursor.Seek(*scan.start_after);
      if (on && cursor.key() == *scan.start_after) on = cursor.Next();
    } else {
      on = cursor.Seek(lower);
    }
  } else {
    if (scan.start_after && below_upper(*scan.start_after)) {
      on = cursor.SeekForPrev(*scan.start_after);
      if (on && cursor.key() == *scan.start_after) on = cursor.Prev();
    } else if (upper.empty()) {
      on = cursor.SeekLast();
    } else {
      on = cursor.SeekForPrev(upper);
      if (on && cursor.key() >= upper) on = cursor.Prev();
    }
  }
  return on;
}

RangeScanResult ReadRange(const Txn& txn, const RangeScan& scan,
                          const std::function<void(const Item&)>& visit) {
  RangeScanResult result;
  Cursor cursor(txn,
                scan.index != nullptr ? txn.indexes_dbi() : txn.items_dbi());
  std::unique_ptr<Cursor> items;
  if (scan.index != nullptr)
    items = std::make_unique<Cursor>(txn, txn.items_dbi());
  for (bool on = SeekRangeStart(cursor, scan); on;
       on = scan.forward ? cursor.Next() : cursor.Prev()) {
    if (!KeyInRange(scan, cursor.key())) break;
    Item item;
    if (scan.index != nullptr) {
      // The entry's value is the base item key; the base item is there in
      // this same snapshot, since entries and items change together.
      std::optional<Item> base = FetchItemByKey(*items, cursor.value());
      if (!base) continue;
      item = std::move(*base);
    } else {
      item = DecodeItem(cursor.value());
    }
    if (scan.exact_match && !scan.exact_match(item)) continue;
    if (scan.exact_pk) {
      auto it = item.find(scan.table->hash_key.name);
      if (it == item.end() ||
          !SortKeyMatches({SortKeyCondition::Op::kEq, *scan.exact_pk, {}},
                          it->second)) {
        continue;
      }
    }
    if (scan.exact_sk) {
      auto it = item.find(scan.table->range_key->name);
      if (it == item.end() || !SortKeyMatches(*scan.exact_sk, it->second)) {
        continue;
      }
    }
    // A page holds at most 1 MB of items: the item that would cross it is
    // left for the next page (it is not read, so the page's last item is
    // the LastEvaluatedKey).
    const size_t size = ItemSize(item);
    if (result.scanned > 0 && result.bytes_read + size > scan.byte_budget) {
      result.stopped_early = true;
      break;
    }
    visit(item);
    ++result.scanned;
    result.bytes_read += size;
    if (scan.limit != 0 && result.scanned >= scan.limit) {
      result.stopped_early = true;
      break;
    }
  }
  return result;
}

}  // namespace ddb
