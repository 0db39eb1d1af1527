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

// One walk over the encoding serving both the fast JSON path and size-only
// reads: the grammar lives here once, and kWrite lets the compiler drop the
// JSON calls from the size-only instantiation.
template <bool kWrite>
class StoredWalker {
 public:
  StoredWalker(ByteReader& r, JsonWriter* writer) : r_(r), writer_(writer) {}

  // DynamoDB's size of a map body: names plus values, plus `per_element`
  // for each entry (a nested map pays 1 byte per element, an item nothing).
  size_t MapBody(int depth, size_t per_element) {
    const size_t n = r_.ReadCount(2);
    if constexpr (kWrite) writer_->StartObject();
    size_t size = 0;
    std::string_view previous;
    for (size_t i = 0; i < n; ++i) {
      std::string_view name = r_.ReadLengthPrefixed();
      // The same order check DecodeMapBody makes, so corrupt data fails here
      // exactly when it fails there.
      if (i > 0 && previous >= name) {
        r_.Fail("attribute names out of order or duplicated");
      }
      previous = name;
      if constexpr (kWrite) {
        writer_->Key(name.data(),
                     static_cast<rapidjson::SizeType>(name.size()));
      }
      size += per_element + name.size() + Value(depth + 1);
    }
    if constexpr (kWrite) writer_->EndObject();
    return size;
  }

  // Returns AttributeValueSize of the value.
  size_t Value(int depth) {
    if (depth > kMaxDepth) r_.Fail("nesting too deep");
    const uint8_t tag = r_.ReadByte();
    if (tag > static_cast<uint8_t>(AttrType::kBS)) r_.Fail("unknown type tag");
    const AttrType type = static_cast<AttrType>(tag);
    if constexpr (kWrite) {
      writer_->StartObject();
      writer_->Key(AttrTypeName(type));
    }
    size_t size = 0;
    switch (type) {
      case AttrType::kS:
      case AttrType::kB: {
        std::string_view bytes = r_.ReadLengthPrefixed();
        if constexpr (kWrite) WriteBytes(type == AttrType::kB, bytes);
        size = bytes.size();
        break;
      }
      case AttrType::kN: {
        std::string_view text = r_.ReadLengthPrefixed();
        if constexpr (kWrite) WriteBytes(false, text);
        size = NumberSize(text);
        break;
      }
      case AttrType::kBool: {
        const uint8_t b = r_.ReadByte();
        if (b > 1) r_.Fail("bad boolean");
        if constexpr (kWrite) writer_->Bool(b == 1);
        size = 1;
        break;
      }
      case AttrType::kNull:
        // NULL's value is always true on the wire.
        if constexpr (kWrite) writer_->Bool(true);
        size = 1;
        break;
      case AttrType::kM:
        size = 3 + MapBody(depth, 1);
        break;
      case AttrType::kL: {
        const size_t n = r_.ReadCount(1);
        if constexpr (kWrite) writer_->StartArray();
        size = 3;
        for (size_t i = 0; i < n; ++i) size += 1 + Value(depth + 1);
        if constexpr (kWrite) writer_->EndArray();
        break;
      }
      case AttrType::kSS:
      case AttrType::kNS:
      case AttrType::kBS: {
        const size_t n = r_.ReadCount(1);
        if constexpr (kWrite) writer_->StartArray();
        for (size_t i = 0; i < n; ++i) {
          std::string_view member = r_.ReadLengthPrefixed();
          if constexpr (kWrite) WriteBytes(type == AttrType::kBS, member);
          size += type == AttrType::kNS ? NumberSize(member) : member.size();
        }
        if constexpr (kWrite) writer_->EndArray();
        break;
      }
    }
    if constexpr (kWrite) writer_->EndObject();
    return size;
  }

 private:
  void WriteBytes(bool base64, std::string_view bytes) {
    if (base64) {
      const std::string encoded = Base64Encode(bytes);
      writer_->String(encoded.data(),
                      static_cast<rapidjson::SizeType>(encoded.size()));
    } else {
      writer_->String(bytes.data(),
                      static_cast<rapidjson::SizeType>(bytes.size()));
    }
  }

  // NumberSize wants a std::string; one reused buffer keeps numbers from
  // allocating per value.
  size_t NumberSize(std::string_view text) {
    number_.scalar.assign(text);
    return AttributeValueSize(number_);
  }

  ByteReader& r_;
  JsonWriter* writer_;
  AttributeValue number_ = AttributeValue::Number("");
};

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

namespace {

template <bool kWrite>
size_t WalkStoredItem(std::string_view data, JsonWriter* writer) {
  ByteReader r(data, "item");
  const uint8_t version = r.ReadByte();
  if (version != kItemFormatVersion) r.Fail("unknown format version");
  StoredWalker<kWrite> walker(r, writer);
  const size_t size = walker.MapBody(0, 0);
  if (!r.empty()) r.Fail("trailing bytes");
  return size;
}

}  // namespace

size_t WriteStoredItemJson(std::string_view data, JsonWriter& writer) {
  return WalkStoredItem<true>(data, &writer);
}

size_t StoredItemSize(std::string_view data) {
  return WalkStoredItem<false>(data, nullptr);
}

}  // namespace ddb
