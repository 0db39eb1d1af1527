#include "server/ops/idempotency.h"

#include "core/api_error.h"

namespace ddb::ops {

std::optional<std::string> IdempotencyStore::Lookup(
    const std::string& token, const std::string& fingerprint,
    Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  ExpireLocked(now);
  auto it = entries_.find(token);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.fingerprint != fingerprint) {
    throw ApiError("IdempotentParameterMismatchException",
                   "Request with the same client token was already made with "
                   "different parameters");
  }
  return it->second.response;
}

void IdempotencyStore::Record(const std::string& token,
                              const std::string& fingerprint,
                              const std::string& response,
                              Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  ExpireLocked(now);
  auto [it, inserted] =
      entries_.insert_or_assign(token, Entry{fingerprint, response, now});
  (void)it;
  (void)inserted;
  order_.emplace_back(now, token);
  while (entries_.size() > capacity_ && !order_.empty()) {
    auto found = entries_.find(order_.front().second);
    if (found != entries_.end() &&
        found->second.recorded == order_.front().first) {
      entries_.erase(found);
    }
    order_.pop_front();
  }
}

void IdempotencyStore::Forget(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Its order_ entry stays and expires harmlessly: it no longer matches.
  entries_.erase(token);
}

void IdempotencyStore::ExpireLocked(Clock::time_point now) {
  while (!order_.empty() && now - order_.front().first >= kLifetime) {
    auto found = entries_.find(order_.front().second);
    // A token recorded again later has a newer entry; keep that one.
    if (found != entries_.end() &&
        found->second.recorded == order_.front().first) {
      entries_.erase(found);
    }
    order_.pop_front();
  }
}

IdempotencyStore& IdempotencyStore::Global() {
  static IdempotencyStore store;
  return store;
}

}  // namespace ddb::ops
