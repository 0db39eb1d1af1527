// The parse cache: parsed expression ASTs by (parameter, text), so a client
// repeating a request (the common case: one expression string per call site)
// skips lexing, parsing and the request-independent checks. ASTs are
// immutable, so one can be shared by any number of concurrent requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace ddb {

struct ConditionAst;
struct UpdateAst;

// A thread-safe, bounded map from key to an immutable parsed value, evicting
// the least recently used entry. Failed parses are not cached: their error
// is rebuilt each time (they are rare and cheap to reject again).
class ParseCache {
 public:
  explicit ParseCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const void> Find(const std::string& key);
  void Insert(const std::string& key, std::shared_ptr<const void> value);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;
  void Clear();

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const void>>;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

// The process-wide cache the Cached* functions use.
ParseCache& GlobalParseCache();

// ParseConditionAst / ParseUpdateAst through the global cache. Throw exactly
// what the uncached functions throw.
std::shared_ptr<const ConditionAst> CachedConditionAst(
    std::string_view expression, std::string_view parameter);
std::shared_ptr<const UpdateAst> CachedUpdateAst(std::string_view expression);

}  // namespace ddb
