// TransactWriteItems' ClientRequestToken: a token is honoured for 10
// minutes after the first successful request that used it. The same token
// with the same request returns the first response without writing again;
// with a different request it is IdempotentParameterMismatchException.
//
// Tokens live in memory only: they do not survive a restart, and the store
// is bounded (the oldest tokens are forgotten first when it is full).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace ddb::ops {

class IdempotencyStore {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::minutes kLifetime{10};
  static constexpr size_t kDefaultCapacity = 100000;

  explicit IdempotencyStore(size_t capacity = kDefaultCapacity)
      : capacity_(capacity) {}

  // The response recorded for `token` when `fingerprint` matches; nullopt
  // when the token is unknown or expired. Throws ApiError
  // (IdempotentParameterMismatchException) when the fingerprint differs.
  std::optional<std::string> Lookup(const std::string& token,
                                    const std::string& fingerprint,
                                    Clock::time_point now = Clock::now());

  void Record(const std::string& token, const std::string& fingerprint,
              const std::string& response,
              Clock::time_point now = Clock::now());

  // Drops `token`'s entry: a write recorded before its commit whose commit
  // then failed.
  void Forget(const std::string& token);

  // The process-wide store the operation uses.
  static IdempotencyStore& Global();

 private:
  struct Entry {
    std::string fingerprint;
    std::string response;
    Clock::time_point recorded;
  };
  void ExpireLocked(Clock::time_point now);

  size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  // Tokens in recording order, for expiry and eviction.
  std::deque<std::pair<Clock::time_point, std::string>> order_;
};

}  // namespace ddb::ops
