// Item codec: the compact binary form of a whole Item as stored in the items
// database (and, later, in stream records).
//
// Format version 1 (kItemFormatVersion):
//
//   item    := version:u8 map_body
//   map_body:= count:varint (name:bytes value)*     names in ascending order
//   value   := tag:u8 payload
//     tag = AttrType's numeric value:
//     S, N, B       bytes         N as canonical decimal text
//     BOOL          u8            0 or 1
//     NULL          (nothing)
//     M             map_body
//     L             count:varint value*
//     SS, NS, BS    count:varint bytes*   members in request order
//   bytes   := length:varint raw
//   varint  := LEB128, unsigned, at most 10 bytes
//
// Numbers stay text because the canonical text is what every reader wants
// back and converting costs more than the bytes it would save.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "core/json_codec.h"

namespace ddb {

inline constexpr uint8_t kItemFormatVersion = 1;

void AppendItem(const Item& item, std::string* out);
std::string EncodeItem(const Item& item);

// Throws std::runtime_error on anything malformed (truncation, bad tags,
// trailing bytes, duplicate names, nesting deeper than a valid item can
// have); never reads out of bounds, whatever the input.
Item DecodeItem(std::string_view data);

// The read fast path (whole items, no projection or filter): writes exactly
// what WriteItem(DecodeItem(data), writer) writes and returns
// ItemSize(DecodeItem(data)), without building the Item tree. Throws as
// DecodeItem does on malformed data (the writer is then mid-document).
size_t WriteStoredItemJson(std::string_view data, JsonWriter& writer);

// ItemSize(DecodeItem(data)) without building the Item tree. Throws as
// DecodeItem does.
size_t StoredItemSize(std::string_view data);

}  // namespace ddb
