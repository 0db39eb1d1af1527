#include "storage/table_def_cache.h"

#include "storage/catalog_codec.h"

namespace ddb {

std::shared_ptr<const TableDef> TableDefCache::Get(std::string_view key,
                                                   std::string_view bytes) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.bytes == bytes) {
      return it->second.def;
    }
  }
  auto def = std::make_shared<const TableDef>(DecodeTableDef(bytes));
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // Entries of dropped tables are never read again; starting over when
    // full keeps the bound without tracking recency (a table set larger
    // than the capacity only costs decodes, as before the cache).
    if (entries_.size() >= capacity_) entries_.clear();
    it = entries_.emplace(std::string(key), Entry{}).first;
  }
  it->second.bytes.assign(bytes);
  it->second.def = def;
  return def;
}

size_t TableDefCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace ddb
