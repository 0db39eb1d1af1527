// Key codec: order-preserving byte encodings of key values (S, N, B) and the
// layout of item keys in the items database, so that LMDB's memcmp order is
// DynamoDB's order.
//
// Format version 1 (kKeyFormatVersion). The key type is known from the
// table's schema, so values carry no type tag.
//
//   value      := string | binary | number
//   string     := escaped(UTF-8 bytes) 0x00 0x00
//   binary     := escaped(bytes) 0x00 0x00
//   escaped(b) := each byte of b, with 0x00 written as 0x00 0xFF
//       The terminator 00 00 sorts below both an escaped 0x00 (00 FF) and any
//       other byte, so a prefix sorts first ("a" < "a\0" < "ab"), matching
//       DynamoDB's unsigned byte order; every encoding is prefix-free.
//   number     := 0x02                                    zero
//               | 0x03 exp digits 0x00                    positive
//               | 0x01 ~exp ~digits 0xFF                  negative
//       With value = ±0.d1d2...dn x 10^E (d1 != 0, dn != 0, as
//       Decimal::digits()/exponent() give them):
//       exp    := (E + 129) as one byte. DynamoDB's range 1E-130 (E = -129)
//                 to 9.99...E+125 (E = 126) maps to 0..255.
//       digits := one byte per pair of decimal digits (d1d2)(d3d4)..., the
//                 last pair padded with a 0 digit; byte = pair + 1 (1..100),
//                 so the 0x00 terminator sorts below any further pair
//                 (1 < 1.05) and 1 == 1.0 encode identically.
//       ~x is x with every byte complemented: larger magnitudes of negative
//       numbers then sort lower. At most 1 + 1 + 19 + 1 = 22 bytes.
//
//   item_key   := table_id:8 (big-endian) hash:4 (big-endian) pk_part sk_part
//   hash       := top 32 bits of XXH3_64(value(pk))
//       Gives DynamoDB-like Scan order across partitions, and a parallel Scan
//       can split a table into hash ranges.
//   pk_part    := 0x01 value(pk)                  if |value(pk)| <= 100
//               | 0x02 XXH3_128(value(pk)):16     otherwise
//       LMDB's MDB_MAXKEYSIZE is 511 bytes but a partition key may be 2048.
//       Only a partition's identity matters (partitions are in hash order),
//       so a long one is replaced by its digest.
//   sk_part    := (empty)                                 hash-only table
//               | value(sk)                               if |value(sk)| <= N
//               | value(sk)[0, N) 0xFF XXH3_128(value(sk)):16
//       N = budget - 17 = 381, budget = 511 - 12 - 101 (the longest
//       pk_part) = 398. Sort keys may be 1024 bytes (2050 encoded at worst);
//       truncating only encodings longer than N keeps the order
//       exact except among sort keys whose encodings share the same first N
//       bytes, which sort by digest. Lookups stay exact: the full key is in
//       the stored item and is compared on every read, and a digest
//       collision fails loudly instead of overwriting another item.
//
// All items of one partition are contiguous (pk_part is prefix-free) and
// ordered by sort key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "storage/table_def.h"

namespace ddb {

inline constexpr uint8_t kKeyFormatVersion = 1;

// LMDB's compile-time MDB_MAXKEYSIZE on Debian; Storage::Open checks it.
inline constexpr size_t kMaxLmdbKeySize = 511;
inline constexpr size_t kItemKeyHeaderSize = 12;       // table_id + hash
inline constexpr size_t kMaxInlinePartitionKey = 100;  // encoded bytes
inline constexpr size_t kKeyDigestSize = 16;
inline constexpr size_t kSortKeyBudget =
    kMaxLmdbKeySize - kItemKeyHeaderSize - (1 + kMaxInlinePartitionKey);

// Appends the order-preserving encoding of `value` (S, N or B). Throws
// std::invalid_argument for other types or a number outside DynamoDB's range.
void AppendKeyValue(const AttributeValue& value, std::string* out);
std::string EncodeKeyValue(const AttributeValue& value);

// Decodes one value of `type` from the front of `*in` and advances `*in` past
// it. N comes back as canonical text (Decimal::ToString's form). Throws
// std::runtime_error on malformed bytes.
AttributeValue DecodeKeyValue(AttrType type, std::string_view* in);

// Appends `encoded` (a value's encoding) so that it occupies at most
// `budget` bytes, by the sk_part rule above. Shared by the items database
// and, later, index keys with their own budgets.
// REQUIRES: budget > 17.
void AppendBoundedKeyPart(std::string_view encoded, size_t budget,
                          std::string* out);

// table_id:8.
std::string TableKeyPrefix(uint64_t table_id);

// table_id:8 hash:4 pk_part: the common prefix of every item of the
// partition whose key value is `pk`.
std::string PartitionKeyPrefix(uint64_t table_id, const AttributeValue& pk);

// The full item key of `item` (which holds at least the table's key
// attributes). Throws std::invalid_argument when a key attribute is missing
// or has the wrong type (callers validate first; this guards storage).
std::string EncodeItemKey(const TableDef& table, const Item& item);

// Whether EncodeItemKey(table, key) replaces part of the key by a digest
// (a partition key over 100 encoded bytes, or a long sort key): only then
// can two keys share an encoded key, so only then must a read compare the
// stored item's key. REQUIRES: `key` holds the table's key attributes.
bool ItemKeyIsDigested(const TableDef& table, const Item& key);

// The 32-bit hash that orders partitions, for parallel Scan segments.
uint32_t PartitionHash(std::string_view encoded_pk);

}  // namespace ddb
