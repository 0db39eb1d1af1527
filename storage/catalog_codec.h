// Catalog codec: the stored form of a TableDef in the catalog database, and
// the catalog's key layout.
//
// Format version 1 (kTableDefFormatVersion):
//
//   catalog_key := ns 0x00 name         ns never contains 0x00, so one
//                                       namespace is one contiguous range
//                                       ordered by name bytes
//   table_def   := version:u8 id:varint ns:bytes name:bytes hash_key:key_attr
//                  has_range:u8 [range_key:key_attr]
//                  count:varint (name:bytes type:u8)*   attribute definitions
//                  pay_per_request:u8 read_capacity:varint
//                  write_capacity:varint creation_time:8 (IEEE-754 bits,
//                  big-endian) table_uuid:bytes region:bytes
//   key_attr    := name:bytes type:u8
//
// Format version 2 appends the secondary indexes:
//
//   table_def_v2 := table_def(version 2) next_index_id:varint
//                   count:varint index*
//   index        := id:varint name:bytes global:u8
//                   count:varint key_attr*          hash attributes
//                   count:varint key_attr*          range attributes
//                   projection:u8 (0 ALL, 1 KEYS_ONLY, 2 INCLUDE)
//                   count:varint bytes*             NonKeyAttributes
//                   read_capacity:varint write_capacity:varint
//                   backfilling:u8
//   bytes       := length:varint raw
//
// Format version 3 appends the tags and the TimeToLive setting:
//
//   table_def_v3 := table_def_v2(version 3)
//                   count:varint (key:bytes value:bytes)*   tags, key order
//                   ttl_enabled:u8 ttl_attribute:bytes
//
// A later field is added by bumping the version; the decoder keeps reading
// every older version so existing data directories stay readable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/table_def.h"

namespace ddb {

inline constexpr uint8_t kTableDefFormatVersion = 3;

std::string CatalogKey(std::string_view ns, std::string_view name);

std::string EncodeTableDef(const TableDef& table);
// Throws std::runtime_error on malformed bytes.
TableDef DecodeTableDef(std::string_view data);

}  // namespace ddb
