// ApiError: the one error type every layer throws for a client-visible error.
// The router turns it into DynamoDB's JSON error body; nothing else formats
// errors.
#pragma once

#include <stdexcept>
#include <string>

namespace ddb {

class ApiError : public std::exception {
 public:
  // `type` is the short name, e.g. "ValidationException"; the namespace prefix
  // DynamoDB puts in "__type" is added by TypeWithPrefix().
  ApiError(std::string type, std::string message, int http_status = 400)
      : type_(std::move(type)),
        message_(std::move(message)),
        http_status_(http_status) {}

  static ApiError Validation(std::string message) {
    return ApiError("ValidationException", std::move(message));
  }
  static ApiError Serialization(std::string message) {
    return ApiError("SerializationException", std::move(message));
  }
  static ApiError ResourceNotFound(std::string message) {
    return ApiError("ResourceNotFoundException", std::move(message));
  }
  static ApiError ResourceInUse(std::string message) {
    return ApiError("ResourceInUseException", std::move(message));
  }
  static ApiError Internal(std::string message) {
    return ApiError("InternalServerError", std::move(message), 500);
  }

  // DynamoDB's ConditionalCheckFailedException with
  // ReturnValuesOnConditionCheckFailure=ALL_OLD carries the old item as an
  // "Item" member beside the message. `json` is a complete JSON value that
  // ToJson() writes as is under `name`.
  static ApiError ConditionalCheckFailed(std::string item_json = "") {
    ApiError error("ConditionalCheckFailedException",
                   "The conditional request failed");
    if (!item_json.empty()) error.SetExtraMember("Item", std::move(item_json));
    return error;
  }
  void SetExtraMember(std::string name, std::string json) {
    extra_name_ = std::move(name);
    extra_json_ = std::move(json);
  }
  const std::string& extra_json() const { return extra_json_; }

  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }
  const char* what() const noexcept override { return message_.c_str(); }

  // The "__type" value DynamoDB sends: coral prefixes for protocol-level
  // errors, the service prefix for the rest.
  std::string TypeWithPrefix() const;

  // The full JSON error body: {"__type": ..., "message": ...}. DynamoDB spells
  // the member "Message" for a few types; that choice lives here.
  std::string ToJson() const;

 private:
  std::string type_;
  std::string message_;
  int http_status_;
  std::string extra_name_;  // "" when there is no extra member
  std::string extra_json_;
};

}  // namespace ddb
