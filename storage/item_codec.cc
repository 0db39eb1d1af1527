#include "storage/item_codec.h"

#include <iterator>
#include <stdexcept>

#include "storage/coding.h"

namespace ddb {
namespace {

// DynamoDB allows 32 levels of nesting; the margin keeps valid items safe
// while bounding recursion on corrupt input.
constexpr int kMaxDepth = 64;

void AppendValue(const AttributeValue& v, std::string* out);

void AppendMapBody(const AttributeMap& map, std::string* out) {
  AppendVarint(map.size(), out);
  for (const auto& [name, value] : map) {
    AppendLengthPrefixed(name, out);
    AppendValue(value, out);
  }
}

void AppendValue(const AttributeValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      AppendLengthPrefixed(v.scalar, out);
      break;
    case AttrType::kBool:
      out->push_back(v.boolean ? 1 : 0);
      break;
    case AttrType::kNull:
      break;
    case AttrType::kM:
      AppendMapBody(v.map, out);
      break;
    case AttrType::kL:
      AppendVarint(v.list.size(), out);
      for (const AttributeValue& e : v.list) AppendValue(e, out);
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      AppendVarint(v.set.size(), out);
      for (const std::string& m : v.set) AppendLengthPrefixed(m, out);
      break;
  }
}

AttributeValue DecodeValue(ByteReader& r, int depth);

void DecodeMapBody(ByteReader& r, int depth, AttributeMap* map) {
  // Each entry needs at least a name length and a tag.
  const size_t n = r.ReadCount(2);
  for (size_t i = 0; i < n; ++i) {
    std::string_view name = r.ReadLengthPrefixed();
    if (!map->empty() && std::prev(map->end())->first >= name) {
      r.Fail("attribute names out of order or duplicated");
    }
    map->emplace_hint(map->end(), std::string(name), DecodeValue(r, depth + 1));
  }
}

AttributeValue DecodeValue(ByteReader& r, int depth) {
  if (depth > kMaxDepth) r.Fail("nesting too deep");
  AttributeValue v;
  const uint8_t tag = r.ReadByte();
  if (tag > static_cast<uint8_t>(AttrType::kBS)) r.Fail("unknown type tag");
  v.type = static_cast<AttrType>(tag);
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      v.scalar = std::string(r.ReadLengthPrefixed());
      break;
    case AttrType::kBool: {
      const uint8_t b = r.ReadByte();
      if (b > 1) r.Fail("bad boolean");
      v.boolean = b == 1;
      break;
    }
    case AttrType::kNull:
      break;
    case AttrType::kM:
      DecodeMapBody(r, depth, &v.map);
      break;
    case AttrType::kL: {
      const size_t n = r.ReadCount(1);
      v.list.reserve(n);
      for (size_t i = 0; i < n; ++i)
        v.list.push_back(DecodeValue(r, depth + 1));
      break;
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      const size_t n = r.ReadCount(1);
      v.set.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        v.set.emplace_back(r.ReadLengthPrefixed());
      }
      break;
    }
  }
  return v;
}

}  // namespace

void AppendItem(const Item& item, std::string* out) {
  out->push_back(static_cast<char>(kItemFormatVersion));
  AppendMapBody(item, out);
}

std::string EncodeItem(const Item& item) {
  std::string out;
  AppendItem(item, &out);
  return out;
}

Item DecodeItem(std::string_view data) {
  ByteReader r(data, "item");
  const uint8_t version = r.ReadByte();
  if (version != kItemFormatVersion) r.Fail("unknown format version");
  Item item;
  DecodeMapBody(r, 0, &item);
  if (!r.empty()) r.Fail("trailing bytes");
  return item;
}

}  // namespace ddb
