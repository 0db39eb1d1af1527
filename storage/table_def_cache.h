// TableDefCache: decoded catalog entries, so that an item operation does not
// decode its table's definition on every request (issue 8's profile: two
// DecodeTableDef per UpdateItem, 3 % of its instructions, plus the copy).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/table_def.h"

namespace ddb {

// Maps a catalog key to the bytes last read under it and their decoding.
// The transaction's own read of the catalog stays the truth: a lookup hands
// back the cached definition only when the bytes it was given equal those
// it was decoded from, so a snapshot older or newer than the cache's (an
// UpdateTable in flight, a table recreated under the same name) decodes its
// own bytes. Thread-safe; decoding runs outside the lock.
class TableDefCache {
 public:
  explicit TableDefCache(size_t capacity = 1024) : capacity_(capacity) {}

  // DecodeTableDef(bytes), shared. Throws what DecodeTableDef throws.
  std::shared_ptr<const TableDef> Get(std::string_view key,
                                      std::string_view bytes);

  size_t size() const;

 private:
  struct Entry {
    std::string bytes;
    std::shared_ptr<const TableDef> def;
  };
  // Heterogeneous lookup, so a hit builds no std::string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace ddb
