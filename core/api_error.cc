#include "core/api_error.h"

#include <rapidjson/stringbuffer.h>

#include "core/json_writer.h"

namespace ddb {

std::string ApiError::TypeWithPrefix() const {
  // Errors raised by the request-validation layer of DynamoDB's front end
  // (Coral) carry its namespaces; everything the service itself raises uses
  // the versioned service namespace.
  if (type_ == "ValidationException") {
    return "com.amazon.coral.validate#" + type_;
  }
  if (type_ == "SerializationException" ||
      type_ == "UnknownOperationException" ||
      type_ == "MissingAuthenticationTokenException" ||
      type_ == "IncompleteSignatureException" ||
      type_ == "InvalidSignatureException" ||
      type_ == "AccessDeniedException" ||
      type_ == "UnrecognizedClientException" ||
      type_ == "RequestEntityTooLarge") {
    return "com.amazon.coral.service#" + type_;
  }
  return "com.amazonaws.dynamodb.v20120810#" + type_;
}

std::string ApiError::ToJson() const {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("__type");
  writer.String(TypeWithPrefix().c_str());
  // DynamoDB omits the message for some protocol errors (e.g. an unknown
  // operation); an empty message here means "no message member".
  if (!message_.empty()) {
    // SerializationException and a few coral errors use "Message".
    writer.Key(type_ == "SerializationException" ? "Message" : "message");
    writer.String(message_.c_str(),
                  static_cast<rapidjson::SizeType>(message_.size()));
  }
  if (!extra_name_.empty()) {
    writer.Key(extra_name_.c_str(),
               static_cast<rapidjson::SizeType>(extra_name_.size()));
    writer.RawValue(extra_json_.c_str(), extra_json_.size(),
                    rapidjson::kObjectType);
  }
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace ddb
