// DynamoDB's reserved words: an attribute name spelled as one of them must be
// written through an ExpressionAttributeNames placeholder.
#pragma once

#include <string_view>

namespace ddb {

// True if `word` is one of DynamoDB's ~570 reserved words, compared without
// regard to case (DynamoDB rejects `Status` as well as `STATUS`).
bool IsReservedWord(std::string_view word);

}  // namespace ddb
