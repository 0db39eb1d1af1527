#include "storage/catalog_codec.h"

#include <bit>

#include "storage/coding.h"

namespace ddb {
namespace {

void AppendKeyAttribute(const std::string& name, AttrType type,
                        std::string* out) {
  AppendLengthPrefixed(name, out);
  out->push_back(static_cast<char>(type));
}

AttrType ReadKeyType(ByteReader& r) {
  const uint8_t t = r.ReadByte();
  if (t > static_cast<uint8_t>(AttrType::kBS)) r.Fail("unknown type");
  return static_cast<AttrType>(t);
}

void ReadKeyAttributes(ByteReader& r, std::vector<KeyAttribute>* out) {
  const size_t n = r.ReadCount(2);
  for (size_t i = 0; i < n; ++i) {
    KeyAttribute key;
    key.name = std::string(r.ReadLengthPrefixed());
    key.type = ReadKeyType(r);
    out->push_back(std::move(key));
  }
}

void ReadIndexes(ByteReader& r, TableDef* t) {
  t->next_index_id = static_cast<uint32_t>(r.ReadVarint());
  const size_t n = r.ReadCount(4);
  for (size_t i = 0; i < n; ++i) {
    IndexDef index;
    index.id = static_cast<uint32_t>(r.ReadVarint());
    index.name = std::string(r.ReadLengthPrefixed());
    index.global = r.ReadByte() != 0;
    ReadKeyAttributes(r, &index.hash_keys);
    ReadKeyAttributes(r, &index.range_keys);
    const uint8_t projection = r.ReadByte();
    if (projection > static_cast<uint8_t>(ProjectionType::kInclude)) {
      r.Fail("unknown projection type");
    }
    index.projection = static_cast<ProjectionType>(projection);
    const size_t attributes = r.ReadCount(1);
    for (size_t j = 0; j < attributes; ++j) {
      index.non_key_attributes.emplace_back(r.ReadLengthPrefixed());
    }
    index.read_capacity = static_cast<int64_t>(r.ReadVarint());
    index.write_capacity = static_cast<int64_t>(r.ReadVarint());
    index.backfilling = r.ReadByte() != 0;
    t->indexes.push_back(std::move(index));
  }
}

void ReadTagsAndTtl(ByteReader& r, TableDef* t) {
  const size_t n = r.ReadCount(2);
  for (size_t i = 0; i < n; ++i) {
    std::string key(r.ReadLengthPrefixed());
    t->tags[std::move(key)] = std::string(r.ReadLengthPrefixed());
  }
  t->ttl_enabled = r.ReadByte() != 0;
  t->ttl_attribute = std::string(r.ReadLengthPrefixed());
}

}  // namespace

std::string CatalogKey(std::string_view ns, std::string_view name) {
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns);
  key.push_back('\0');
  key.append(name);
  return key;
}

std::string EncodeTableDef(const TableDef& t) {
  std::string out;
  out.push_back(static_cast<char>(kTableDefFormatVersion));
  AppendVarint(t.id, &out);
  AppendLengthPrefixed(t.ns, &out);
  AppendLengthPrefixed(t.name, &out);
  AppendKeyAttribute(t.hash_key.name, t.hash_key.type, &out);
  out.push_back(t.range_key ? 1 : 0);
  if (t.range_key) {
    AppendKeyAttribute(t.range_key->name, t.range_key->type, &out);
  }
  AppendVarint(t.attribute_definitions.size(), &out);
  for (const AttributeDefinition& d : t.attribute_definitions) {
    AppendKeyAttribute(d.name, d.type, &out);
  }
  out.push_back(t.pay_per_request ? 1 : 0);
  AppendVarint(static_cast<uint64_t>(t.read_capacity), &out);
  AppendVarint(static_cast<uint64_t>(t.write_capacity), &out);
  AppendFixed64BE(std::bit_cast<uint64_t>(t.creation_time), &out);
  AppendLengthPrefixed(t.table_uuid, &out);
  AppendLengthPrefixed(t.region, &out);
  AppendVarint(t.next_index_id, &out);
  AppendVarint(t.indexes.size(), &out);
  for (const IndexDef& index : t.indexes) {
    AppendVarint(index.id, &out);
    AppendLengthPrefixed(index.name, &out);
    out.push_back(index.global ? 1 : 0);
    for (const auto* keys : {&index.hash_keys, &index.range_keys}) {
      AppendVarint(keys->size(), &out);
      for (const KeyAttribute& key : *keys) {
        AppendKeyAttribute(key.name, key.type, &out);
      }
    }
    out.push_back(static_cast<char>(index.projection));
    AppendVarint(index.non_key_attributes.size(), &out);
    for (const std::string& name : index.non_key_attributes) {
      AppendLengthPrefixed(name, &out);
    }
    AppendVarint(static_cast<uint64_t>(index.read_capacity), &out);
    AppendVarint(static_cast<uint64_t>(index.write_capacity), &out);
    out.push_back(index.backfilling ? 1 : 0);
  }
  AppendVarint(t.tags.size(), &out);
  for (const auto& [key, value] : t.tags) {
    AppendLengthPrefixed(key, &out);
    AppendLengthPrefixed(value, &out);
  }
  out.push_back(t.ttl_enabled ? 1 : 0);
  AppendLengthPrefixed(t.ttl_attribute, &out);
  return out;
}

TableDef DecodeTableDef(std::string_view data) {
  ByteReader r(data, "table definition");
  const uint8_t version = r.ReadByte();
  if (version < 1 || version > kTableDefFormatVersion) {
    r.Fail("unknown format version");
  }
  TableDef t;
  t.id = r.ReadVarint();
  t.ns = std::string(r.ReadLengthPrefixed());
  t.name = std::string(r.ReadLengthPrefixed());
  t.hash_key.name = std::string(r.ReadLengthPrefixed());
  t.hash_key.type = ReadKeyType(r);
  if (r.ReadByte() != 0) {
    KeyAttribute range;
    range.name = std::string(r.ReadLengthPrefixed());
    range.type = ReadKeyType(r);
    t.range_key = std::move(range);
  }
  const size_t n = r.ReadCount(2);
  t.attribute_definitions.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    AttributeDefinition d;
    d.name = std::string(r.ReadLengthPrefixed());
    d.type = ReadKeyType(r);
    t.attribute_definitions.push_back(std::move(d));
  }
  t.pay_per_request = r.ReadByte() != 0;
  t.read_capacity = static_cast<int64_t>(r.ReadVarint());
  t.write_capacity = static_cast<int64_t>(r.ReadVarint());
  t.creation_time =
      std::bit_cast<double>(DecodeFixed64BE(r.ReadBytes(8).data()));
  t.table_uuid = std::string(r.ReadLengthPrefixed());
  t.region = std::string(r.ReadLengthPrefixed());
  if (version >= 2) ReadIndexes(r, &t);
  // Older versions have no tags and TimeToLive disabled: the defaults.
  if (version >= 3) ReadTagsAndTtl(r, &t);
  if (!r.empty()) r.Fail("trailing bytes");
  return t;
}

}  // namespace ddb
