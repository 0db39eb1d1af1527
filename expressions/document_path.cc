#include "expressions/document_path.h"

#include <algorithm>
#include <utility>

#include "expressions/reserved_words.h"

namespace ddb {
namespace {

enum class PathRelation { kDisjoint, kOverlap, kConflict };

PathRelation Relate(const DocumentPath& one, const DocumentPath& two) {
  const size_t shared = std::min(one.elements.size(), two.elements.size());
  for (size_t i = 0; i < shared; ++i) {
    const PathElement& a = one.elements[i];
    const PathElement& b = two.elements[i];
    // A map key and a list index at the same place can never both exist in
    // one item, which is why DynamoDB calls it a conflict, not a mismatch.
    if (a.kind != b.kind) return PathRelation::kConflict;
    if (a != b) return PathRelation::kDisjoint;
  }
  return PathRelation::kOverlap;
}

[[noreturn]] void ThrowPathPair(std::string_view parameter,
                                std::string_view relation,
                                const DocumentPath& one,
                                const DocumentPath& two) {
  std::string detail = "Two document paths ";
  detail.append(relation);
  detail.append(
      " with each other; must remove or rewrite one of these paths; path "
      "one: ");
  detail.append(one.ToString());
  detail.append(", path two: ");
  detail.append(two.ToString());
  ThrowInvalidExpression(parameter, detail);
}

PathAstElement NameElement(const Token& token) {
  return PathAstElement{token.kind == TokenKind::kNamePlaceholder
                            ? PathAstElement::Kind::kPlaceholder
                            : PathAstElement::Kind::kIdentifier,
                        std::string(token.text)};
}

// The attribute name `placeholder` stands for, or null if `names` (itself
// possibly null) does not define it.
const std::string* LookUp(const ExpressionAttributeNames* names,
                          std::string_view placeholder) {
  if (names == nullptr) return nullptr;
  auto it = names->find(placeholder);
  return it == names->end() ? nullptr : &it->second;
}

// REQUIRES: `digits` is at most 19 decimal digits, so the value fits.
uint64_t DigitsValue(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

bool IsNameToken(const Token& token) {
  return token.kind == TokenKind::kIdentifier ||
         token.kind == TokenKind::kNamePlaceholder;
}

}  // namespace

std::string DocumentPath::ToString() const {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ", ";
    const PathElement& element = elements[i];
    if (element.is_index()) {
      out += "[" + std::to_string(element.index) + "]";
    } else {
      out += element.name;
    }
  }
  out += "]";
  return out;
}

bool StartsPath(const Token& token) { return IsNameToken(token); }

PathAst ParsePath(TokenCursor& cursor) {
  PathAst path;
  if (!IsNameToken(cursor.Peek())) cursor.FailSyntax();
  const Token& first = cursor.Next();
  path.begin = first.begin;
  path.end = first.end;
  path.elements.push_back(NameElement(first));
  while (true) {
    if (cursor.Accept(TokenKind::kDot)) {
      if (!IsNameToken(cursor.Peek())) cursor.FailSyntax();
      const Token& name = cursor.Next();
      path.elements.push_back(NameElement(name));
      path.end = name.end;
    } else if (cursor.Accept(TokenKind::kLeftBracket)) {
      const Token& index = cursor.Expect(TokenKind::kNumber);
      path.elements.push_back(PathAstElement{PathAstElement::Kind::kIndex,
                                             std::string(index.text)});
      path.end = cursor.Expect(TokenKind::kRightBracket).end;
    } else {
      return path;
    }
  }
}

void CheckReservedWords(const PathAst& path, std::string_view parameter) {
  for (const PathAstElement& element : path.elements) {
    if (element.kind == PathAstElement::Kind::kIdentifier &&
        IsReservedWord(element.text)) {
      ThrowInvalidExpression(
          parameter,
          "Attribute name is a reserved keyword; reserved keyword: " +
              element.text);
    }
  }
}

void CheckPathLimits(const PathAst& path, std::string_view parameter) {
  for (const PathAstElement& element : path.elements) {
    if (element.kind != PathAstElement::Kind::kIndex) continue;
    // The lexer gives digits without a leading zero, so more than ten of
    // them is past the limit without risking overflow in the conversion.
    if (element.text.size() > 10 || DigitsValue(element.text) > kMaxListIndex) {
      ThrowInvalidExpression(
          parameter, "List index is not within the allowable range; index: [" +
                         element.text + "]");
    }
  }
  if (path.elements.size() > kMaxPathDepth) {
    ThrowInvalidExpression(
        parameter,
        "The document path has too many nesting levels; nesting levels: " +
            std::to_string(path.elements.size()));
  }
}

DocumentPath ResolvePath(const PathAst& path,
                         const ExpressionAttributeNames* names, UsedNames* used,
                         std::string_view parameter) {
  DocumentPath resolved;
  resolved.elements.reserve(path.elements.size());
  for (const PathAstElement& element : path.elements) {
    switch (element.kind) {
      case PathAstElement::Kind::kIdentifier:
        resolved.elements.push_back(PathElement::Name(element.text));
        break;
      case PathAstElement::Kind::kPlaceholder: {
        const std::string* substitute = LookUp(names, element.text);
        if (substitute == nullptr) {
          ThrowInvalidExpression(
              parameter,
              "An expression attribute name used in the document path is "
              "not defined; attribute name: " +
                  element.text);
        }
        if (used != nullptr) used->insert(element.text);
        // The substitute is one map key whatever it contains: "#n" -> "a.b"
        // names the attribute "a.b", not b inside a.
        resolved.elements.push_back(PathElement::Name(*substitute));
        break;
      }
      case PathAstElement::Kind::kIndex: {
        resolved.elements.push_back(PathElement::Index(
            static_cast<uint32_t>(DigitsValue(element.text))));
        break;
      }
    }
  }
  return resolved;
}

void CheckPathsDisjoint(const std::vector<DocumentPath>& paths,
                        std::string_view parameter) {
  // Quadratic, but a 4 KB expression holds at most ~2000 paths, and the
  // comparisons stop at the first differing element.
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      if (Relate(paths[i], paths[j]) == PathRelation::kOverlap) {
        ThrowPathPair(parameter, "overlap", paths[i], paths[j]);
      }
    }
  }
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      if (Relate(paths[i], paths[j]) == PathRelation::kConflict) {
        ThrowPathPair(parameter, "conflict", paths[i], paths[j]);
      }
    }
  }
}

}  // namespace ddb
