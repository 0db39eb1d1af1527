// TagResource, UntagResource and ListTagsOfResource: tags live in the
// table's catalog entry (TableDef::tags), so they survive restarts and go
// away with the table.
//
// DynamoDB checks tags by hand rather than through its request shapes, so
// the messages here are its own ("The Tag Key provided is invalid, Key:
// x"), not the "N validation errors detected" form.
#include "server/ops/tag_resource.h"

#include <memory>

#include "core/api_error.h"
#include "server/ops/common.h"

namespace ddb::ops {
namespace {

using shape::Member;
using shape::Shape;

const Shape* TagListShape() {
  static const Shape tag{shape::Kind::kStruct,
                         "Tag",
                         {Member{.name = "Key", .shape = shape::String()},
                          Member{.name = "Value", .shape = shape::String()}}};
  static const Shape list{shape::Kind::kList, nullptr, {}, &tag};
  return &list;
}

const Shape& TagResourceShape() {
  static const Shape request{
      shape::Kind::kStruct,
      "TagResourceInput",
      {Member{.name = "ResourceArn", .shape = shape::String()},
       Member{.name = "Tags", .shape = TagListShape()}}};
  return request;
}

const Shape& UntagResourceShape() {
  static const Shape request{
      shape::Kind::kStruct,
      "UntagResourceInput",
      {Member{.name = "ResourceArn", .shape = shape::String()},
       Member{.name = "TagKeys", .shape = shape::StringList()}}};
  return request;
}

const Shape& ListTagsShape() {
  static const Shape request{
      shape::Kind::kStruct,
      "ListTagsOfResourceInput",
      {Member{.name = "ResourceArn", .shape = shape::String()},
       Member{.name = "NextToken", .shape = shape::String()}}};
  return request;
}

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come
// back as U+FFFD so they count as one character.
char32_t NextCodePoint(const std::string& s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t extra = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  if (i + extra >= s.size() && extra > 0) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = extra == 0   ? lead
                : extra == 1 ? lead & 0x1F
                : extra == 2 ? lead & 0x0F
                             : lead & 0x07;
  for (size_t k = 1; k <= extra; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += extra + 1;
  return cp;
}

// The AWS tag character set: letters of any script, digits, white space and
// + - = . _ : / @. Letters are approximated as every non-ASCII code point
// outside the symbol and emoji blocks, which DynamoDB refuses.
bool IsTagCharacter(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == '+' || c == '-' || c == '=' || c == '.' ||
           c == '_' || c == ':' || c == '/' || c == '@';
  }
  if (c >= 0x2190 && c <= 0x2BFF) return false;  // arrows, symbols, dingbats
  if (c >= 0x1F000) return false;                // emoji and pictographs
  return c != 0xFFFD;
}

bool ValidTagText(const std::string& text, size_t min_chars, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    if (!IsTagCharacter(NextCodePoint(text, i))) return false;
  }
  return chars >= min_chars && chars <= max_chars;
}

void CheckTagKey(const rapidjson::Value* key) {
  if (key == nullptr || key->IsNull()) {
    throw ApiError::Validation("The Tag Key provided is invalid, Key: null");
  }
  const std::string text = key->GetString();
  if (!ValidTagText(text, 1, 128)) {
    throw ApiError::Validation("The Tag Key provided is invalid, Key: " + text);
  }
  if (text.starts_with("aws:")) {
    throw ApiError::Validation("Tag Key cannot be prefixed with aws:, Key: " +
                               text);
  }
}

struct ResourceArn {
  std::string text;
  std::string region;
  std::string account;
  std::string table;
};

// ResourceArn: absent → "Invalid TableArn"; anything but a table ARN →
// "Invalid TableArn: Invalid ResourceArn provided as input <arn>".
ResourceArn ParseArnText(const std::string& arn) {
  ResourceArn out;
  out.text = arn;
  const auto invalid = [&] {
    return ApiError::Validation(
        "Invalid TableArn: Invalid ResourceArn provided as input " + arn);
  };
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  if (!arn.starts_with(kPrefix)) throw invalid();
  const size_t region_end = arn.find(':', kPrefix.size());
  if (region_end == std::string::npos || region_end == kPrefix.size()) {
    throw invalid();
  }
  const size_t account_end = arn.find(':', region_end + 1);
  if (account_end == std::string::npos || account_end == region_end + 1) {
    throw invalid();
  }
  out.region = arn.substr(kPrefix.size(), region_end - kPrefix.size());
  out.account = arn.substr(region_end + 1, account_end - region_end - 1);
  for (char c : out.account) {
    if (c < '0' || c > '9') throw invalid();
  }
  constexpr std::string_view kTable = "table/";
  if (arn.compare(account_end + 1, kTable.size(), kTable) != 0) {
    throw invalid();
  }
  out.table = arn.substr(account_end + 1 + kTable.size());
  // A table name is at least 3 characters; a '/' would name a sub-resource
  // (an index or a stream), which cannot be tagged.
  if (out.table.size() < 3 || out.table.find('/') != std::string::npos) {
    throw invalid();
  }
  return out;
}

const rapidjson::Value* FindArn(const rapidjson::Value& request) {
  const rapidjson::Value* arn = shape::Find(request, "ResourceArn");
  if (arn == nullptr || arn->GetStringLength() == 0) {
    throw ApiError::Validation("Invalid TableArn");
  }
  return arn;
}

// The table the ARN names in the caller's namespace, or null (another
// region or account, or no such table).
TableRef FindArnTable(const Txn& txn, const std::string& ns,
                      const std::string& region, const ResourceArn& arn) {
  if (arn.account != "000000000000" || arn.region != region) {
    return nullptr;
  }
  return txn.GetTable(ns, arn.table);
}

}  // namespace

std::map<std::string, std::string> ParseTagList(const rapidjson::Value& tags) {
  std::map<std::string, std::string> out;
  for (const auto& tag : tags.GetArray()) {
    const rapidjson::Value* key = shape::Find(tag, "Key");
    CheckTagKey(key);
    const rapidjson::Value* value = shape::Find(tag, "Value");
    if (value == nullptr) {
      throw ApiError::Validation(
          "The Tag Value provided is invalid, Value: null");
    }
    const std::string value_text = value->GetString();
    if (!ValidTagText(value_text, 0, 256)) {
      throw ApiError::Validation("The Tag Value provided is invalid, Value: " +
                                 value_text);
    }
    if (!out.emplace(key->GetString(), value_text).second) {
      throw ApiError::Validation(
          "Duplicate Tag Keys provided as input: Duplicate Tag Key found " +
          std::string(key->GetString()));
    }
  }
  if (out.size() > kMaxTagsPerResource) {
    throw ApiError::Validation(
        "Number of Tags exceed the current limit for the provided "
        "ResourceArn");
  }
  return out;
}

void TagResource(const rapidjson::Value& request, const OpContext& ctx,
                 OpCompletion done) {
  shape::CheckTypes(request, TagResourceShape());
  const rapidjson::Value* arn_json = FindArn(request);
  const rapidjson::Value* tags_json = shape::Find(request, "Tags");
  if (tags_json == nullptr) {
    throw ApiError::Validation(
        "1 validation error detected: Value null at 'tags' failed to satisfy "
        "constraint: Member must not be null");
  }
  auto arn = std::make_shared<ResourceArn>(ParseArnText(arn_json->GetString()));
  if (tags_json->Empty()) {
    throw ApiError::Validation(
        "Atleast one Tag needs to be provided as Input.");
  }
  auto tags = std::make_shared<std::map<std::string, std::string>>(
      ParseTagList(*tags_json));

  ctx.storage->SubmitWrite(
      [arn, tags, ns = ctx.ns, region = ctx.region](Txn& txn) {
        TableRef table = FindArnTable(txn, ns, region, *arn);
        if (!table) {
          // "ResourcArn" is DynamoDB's own spelling.
          throw ApiError::ResourceNotFound(
              "Requested resource not found: ResourcArn: " + arn->text +
              " not found");
        }
        TableDef updated = *table;
        // A key already present takes the new value.
        for (const auto& [key, value] : *tags) updated.tags[key] = value;
        if (updated.tags.size() > kMaxTagsPerResource) {
          throw ApiError::Validation(
              "Number of Tags exceed the current limit for the provided "
              "ResourceArn");
        }
        txn.UpdateTable(updated);
      },
      [done = std::move(done)](std::exception_ptr error) {
        // DynamoDB answers a successful TagResource with an empty body.
        done(error, "");
      });
}

void UntagResource(const rapidjson::Value& request, const OpContext& ctx,
                   OpCompletion done) {
  shape::CheckTypes(request, UntagResourceShape());
  const rapidjson::Value* arn_json = FindArn(request);
  const rapidjson::Value* keys_json = shape::Find(request, "TagKeys");
  if (keys_json == nullptr) {
    throw ApiError::Validation(
        "1 validation error detected: Value null at 'tagKeys' failed to "
        "satisfy constraint: Member must not be null");
  }
  auto arn = std::make_shared<ResourceArn>(ParseArnText(arn_json->GetString()));
  if (keys_json->Empty()) {
    throw ApiError::Validation(
        "Atleast one Tag Key needs to be provided as Input.");
  }
  if (keys_json->Size() > kMaxTagsPerResource) {
    throw ApiError::Validation(
        "Number of Tags exceed the current limit for the provided "
        "ResourceArn");
  }
  auto keys = std::make_shared<std::vector<std::string>>();
  for (const auto& key : keys_json->GetArray()) {
    if (key.IsNull()) CheckTagKey(nullptr);
    const std::string text = key.GetString();
    if (!ValidTagText(text, 1, 128)) {
      throw ApiError::Validation("The Tag Key provided is invalid, Key: " +
                                 text);
    }
    keys->push_back(text);
  }

  ctx.storage->SubmitWrite(
      [arn, keys, ns = ctx.ns, region = ctx.region](Txn& txn) {
        TableRef table = FindArnTable(txn, ns, region, *arn);
        if (!table) {
          throw ApiError::ResourceNotFound("Requested resource not found");
        }
        TableDef updated = *table;
        // Removing a key the table does not have is not an error.
        for (const std::string& key : *keys) updated.tags.erase(key);
        txn.UpdateTable(updated);
      },
      [done = std::move(done)](std::exception_ptr error) { done(error, ""); });
}

void ListTagsOfResource(const rapidjson::Value& request, const OpContext& ctx,
                        OpCompletion done) {
  shape::CheckTypes(request, ListTagsShape());
  const ResourceArn arn = ParseArnText(FindArn(request)->GetString());
  std::optional<std::string> next_token =
      shape::GetString(request, "NextToken");

  Txn txn = ctx.storage->BeginRead();
  TableRef table = FindArnTable(txn, ctx.ns, ctx.region, arn);
  if (!table) {
    // Observed in DynamoDB (conformance suite): listing the tags of an ARN
    // that names no table of the caller is refused by authorisation, not
    // reported as a missing resource as TagResource does.
    throw ApiError(
        "AccessDeniedException",
        "User: arn:aws:iam::000000000000:root is not authorized to perform: "
        "dynamodb:ListTagsOfResource on resource: " +
            arn.text +
            " because no resource-based policy allows the "
            "dynamodb:ListTagsOfResource action");
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("Tags");
  writer.StartArray();
  // A resource holds at most 50 tags, which always fit one page; NextToken
  // (the last key of a previous page) is still honoured.
  auto it =
      next_token ? table->tags.upper_bound(*next_token) : table->tags.begin();
  for (; it != table->tags.end(); ++it) {
    writer.StartObject();
    writer.Key("Key");
    writer.String(it->first.c_str(),
                  static_cast<rapidjson::SizeType>(it->first.size()));
    writer.Key("Value");
    writer.String(it->second.c_str(),
                  static_cast<rapidjson::SizeType>(it->second.size()));
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  done(nullptr, TakeJson(buffer));
}

}  // namespace ddb::ops
