#include "expressions/projection.h"

#include <utility>

#include "expressions/lexer.h"

namespace ddb {
namespace {

constexpr std::string_view kParameter = "ProjectionExpression";

}  // namespace

ProjectionAst ParseProjectionAst(std::string_view expression) {
  // Measured on the raw text, before the lexer sees it, so an oversized
  // expression costs no tokenizing.
  CheckExpressionSize(expression, kParameter, /*report_size=*/false);
  TokenCursor cursor(expression, kParameter);
  // No tokens at all is "empty", whitespace or not: DynamoDB's grammar admits
  // an empty expression and a later check refuses it with this message.
  if (cursor.Peek().kind == TokenKind::kEnd) {
    cursor.Fail("The expression can not be empty;");
  }
  ProjectionAst ast;
  do {
    ast.paths.push_back(ParsePath(cursor));
  } while (cursor.Accept(TokenKind::kComma));
  if (cursor.Peek().kind != TokenKind::kEnd) cursor.FailSyntax();

  for (const PathAst& path : ast.paths) CheckReservedWords(path, kParameter);
  for (const PathAst& path : ast.paths) CheckPathLimits(path, kParameter);
  return ast;
}

std::vector<DocumentPath> ResolveProjection(
    const ProjectionAst& ast, const ExpressionAttributeNames* names,
    UsedNames* used) {
  std::vector<DocumentPath> paths;
  paths.reserve(ast.paths.size());
  for (const PathAst& path : ast.paths) {
    paths.push_back(ResolvePath(path, names, used, kParameter));
  }
  CheckPathsDisjoint(paths, kParameter);
  return paths;
}

std::vector<DocumentPath> ParseProjection(std::string_view expression,
                                          const ExpressionAttributeNames* names,
                                          UsedNames* used) {
  return ResolveProjection(ParseProjectionAst(expression), names, used);
}

ProjectionTree::ProjectionTree(const std::vector<DocumentPath>& paths) {
  for (const DocumentPath& path : paths) {
    Node* node = &root_;
    for (const PathElement& element : path.elements) {
      std::unique_ptr<Node>& child = element.is_index()
                                         ? node->indexes[element.index]
                                         : node->names[element.name];
      if (child == nullptr) child = std::make_unique<Node>();
      node = child.get();
    }
    // Validated paths never overlap; should unvalidated ones, the shorter
    // path already asks for everything below it.
    node->whole = true;
  }
}

bool ProjectionTree::Project(const AttributeValue& value, const Node& node,
                             AttributeValue* out) {
  if (node.whole) {
    *out = value;
    return true;
  }
  if (value.type == AttrType::kM && !node.names.empty()) {
    AttributeValue projected;
    projected.type = AttrType::kM;
    for (const auto& [name, child] : node.names) {
      auto it = value.map.find(name);
      if (it == value.map.end()) continue;
      AttributeValue part;
      if (Project(it->second, *child, &part)) {
        projected.map.emplace(name, std::move(part));
      }
    }
    if (projected.map.empty()) return false;
    *out = std::move(projected);
    return true;
  }
  if (value.type == AttrType::kL && !node.indexes.empty()) {
    AttributeValue projected;
    projected.type = AttrType::kL;
    // std::map iterates indexes in ascending order, which is the order
    // DynamoDB returns projected elements in, whatever the request's order.
    for (const auto& [index, child] : node.indexes) {
      if (index >= value.list.size()) break;
      AttributeValue part;
      if (Project(value.list[index], *child, &part)) {
        projected.list.push_back(std::move(part));
      }
    }
    if (projected.list.empty()) return false;
    *out = std::move(projected);
    return true;
  }
  return false;
}

Item ProjectionTree::Apply(const Item& item) const {
  Item result;
  for (const auto& [name, child] : root_.names) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    AttributeValue part;
    if (Project(it->second, *child, &part)) {
      result.emplace(name, std::move(part));
    }
  }
  return result;
}

Item ApplyProjection(const Item& item, const std::vector<DocumentPath>& paths) {
  return ProjectionTree(paths).Apply(item);
}

}  // namespace ddb
