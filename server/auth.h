// Optional SigV4 request verification (--require-auth).
//
// Without it dynalocal accepts any signature, as DynamoDB Local does: the
// Authorization header only names the caller's access key and region. With
// it, every request must be signed with one of the configured access key /
// secret pairs, and DynamoDB's errors answer the ones that are not.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace ddb {

struct AuthOptions {
  bool required = false;
  // access key id -> secret access key.
  std::map<std::string, std::string> secrets;
  // Requests signed further than this from the server's clock are refused.
  std::chrono::seconds max_clock_skew{15 * 60};
};

}  // namespace ddb
