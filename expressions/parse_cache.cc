#include "expressions/parse_cache.h"

#include "expressions/condition.h"
#include "expressions/update.h"

namespace ddb {
namespace {

// Big enough for every distinct expression of a typical application, small
// enough (≤ 4 KB of text each, plus its AST) to stay within a few MB.
constexpr size_t kGlobalCapacity = 1024;

std::string CacheKey(std::string_view parameter, std::string_view text) {
  std::string key(parameter);
  key.push_back('\0');
  key.append(text);
  return key;
}

template <typename Ast, typename ParseFn>
std::shared_ptr<const Ast> Cached(std::string_view parameter,
                                  std::string_view text, ParseFn parse) {
  std::string key = CacheKey(parameter, text);
  ParseCache& cache = GlobalParseCache();
  if (std::shared_ptr<const void> hit = cache.Find(key)) {
    return std::static_pointer_cast<const Ast>(hit);
  }
  std::shared_ptr<const Ast> ast = parse();
  cache.Insert(key, ast);
  return ast;
}

}  // namespace

std::shared_ptr<const void> ParseCache::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void ParseCache::Insert(const std::string& key,
                        std::shared_ptr<const void> value) {
  std::lock_guard lock(mutex_);
  if (capacity_ == 0 || index_.contains(key)) return;
  lru_.emplace_front(key, std::move(value));
  // The index's keys view the strings the list owns; list nodes never move.
  index_.emplace(lru_.front().first, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

ParseCache::Stats ParseCache::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{hits_, misses_, lru_.size()};
}

void ParseCache::Clear() {
  std::lock_guard lock(mutex_);
  index_.clear();
  lru_.clear();
  hits_ = misses_ = 0;
}

ParseCache& GlobalParseCache() {
  static ParseCache cache(kGlobalCapacity);
  return cache;
}

std::shared_ptr<const ConditionAst> CachedConditionAst(
    std::string_view expression, std::string_view parameter) {
  return Cached<ConditionAst>(parameter, expression, [&] {
    return ParseConditionAst(expression, parameter);
  });
}

std::shared_ptr<const UpdateAst> CachedUpdateAst(std::string_view expression) {
  return Cached<UpdateAst>("UpdateExpression", expression,
                           [&] { return ParseUpdateAst(expression); });
}

}  // namespace ddb
