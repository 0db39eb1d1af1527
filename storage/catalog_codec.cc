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
  return out;
}

TableDef DecodeTableDef(std::string_view data) {
  ByteReader r(data, "table definition");
  if (r.ReadByte() != kTableDefFormatVersion) {
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
  if (!r.empty()) r.Fail("trailing bytes");
  return t;
}

}  // namespace ddb
