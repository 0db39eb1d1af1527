// Document paths (a.b[2].c, #n.x[0][1]): how every expression language names
// an attribute or a part of one. Parsing yields a PathAst that still holds
// identifiers and #placeholders as written (cacheable, request-independent);
// resolving it against a request's ExpressionAttributeNames yields a
// DocumentPath of concrete map keys and list indexes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expressions/attribute_names.h"
#include "expressions/lexer.h"

namespace ddb {

// DynamoDB's limits on a path: at most 32 elements ("nesting levels",
// counting the top-level attribute and every list index), and list indexes
// up to 4294967294.
inline constexpr size_t kMaxPathDepth = 32;
inline constexpr uint64_t kMaxListIndex = 4294967294;

// One step of a resolved path: a map key (or top-level attribute name), or a
// list index.
struct PathElement {
  enum class Kind : uint8_t { kName, kIndex };

  Kind kind = Kind::kName;
  std::string name;    // kName
  uint32_t index = 0;  // kIndex

  static PathElement Name(std::string name) {
    return PathElement{Kind::kName, std::move(name), 0};
  }
  static PathElement Index(uint32_t index) {
    return PathElement{Kind::kIndex, {}, index};
  }
  bool is_index() const { return kind == Kind::kIndex; }
  bool operator==(const PathElement& other) const = default;
};

// A resolved path. The first element is always a name.
struct DocumentPath {
  std::vector<PathElement> elements;

  // DynamoDB's rendering in error messages: "[a, b, [2]]". A name is printed
  // as is, even one that looks like an index ("#n" -> "[3]" prints "[3]").
  std::string ToString() const;
  bool operator==(const DocumentPath& other) const = default;
};

// One step of a path as written.
struct PathAstElement {
  enum class Kind : uint8_t { kIdentifier, kPlaceholder, kIndex };

  Kind kind;
  // The identifier, the "#placeholder", or the index's digits, as written:
  // an out-of-range index is reported with its original digits.
  std::string text;
};

// A path as parsed: request-independent, so it can be cached.
struct PathAst {
  std::vector<PathAstElement> elements;
  // The path's extent in the source, in bytes, for later error context.
  size_t begin = 0;
  size_t end = 0;
};

// True if `token` can start a document path.
bool StartsPath(const Token& token);

// Parses one document path at the cursor:
//   path := (identifier | #name) ( '.' (identifier | #name) | '[' number ']' )*
// Throws a syntax error (ApiError) at the first token that does not fit.
PathAst ParsePath(TokenCursor& cursor);

// The request-independent checks, split so an expression can run each over
// all its paths before the next: DynamoDB reports a reserved word anywhere in
// the expression ahead of, e.g., an undefined #name earlier in it.
//
// Throws "Invalid <parameter>: Attribute name is a reserved keyword;
// reserved keyword: <word>" for the first bare identifier that is reserved.
void CheckReservedWords(const PathAst& path, std::string_view parameter);
// Throws "... List index is not within the allowable range; index: [N]" or
// "... The document path has too many nesting levels; nesting levels: N".
void CheckPathLimits(const PathAst& path, std::string_view parameter);

// Resolves #placeholders through `names` (which may be null: the request had
// no ExpressionAttributeNames) and records each one used in `used` (may be
// null). Throws "Invalid <parameter>: An expression attribute name used in
// the document path is not defined; attribute name: #n".
// REQUIRES: CheckPathLimits(path) passed (indexes fit in uint32_t).
DocumentPath ResolvePath(const PathAst& path,
                         const ExpressionAttributeNames* names, UsedNames* used,
                         std::string_view parameter);

// DynamoDB refuses two paths of one expression that
//   overlap: one is a prefix of the other, or they are equal
//     ("... Two document paths overlap with each other; must remove or
//     rewrite one of these paths; path one: [a, b], path two: [a]"), or
//   conflict: they agree up to an element that is a name in one and an index
//     in the other ("... Two document paths conflict with each other; ...").
// Overlaps are looked for among all pairs before conflicts: DynamoDB
// answers "b[1], b.a, #a.b, a" with the overlap of [a, b] and [a]. Within a
// kind, the first pair in expression order is reported, earlier path first.
void CheckPathsDisjoint(const std::vector<DocumentPath>& paths,
                        std::string_view parameter);

}  // namespace ddb
