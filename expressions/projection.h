// ProjectionExpression: which attributes, or parts of attributes, a read
// returns. Parse (request-independent, cacheable), resolve (against the
// request's ExpressionAttributeNames), then apply to each item read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "expressions/attribute_names.h"
#include "expressions/document_path.h"

namespace ddb {

// A parsed ProjectionExpression: comma-separated document paths.
struct ProjectionAst {
  std::vector<PathAst> paths;
};

// Phase 1, everything that does not depend on the request's names, in
// DynamoDB's order: size (4 KB), empty ("The expression can not be empty;"),
// syntax, reserved words, list index range and path depth. Throws ApiError
// (ValidationException, "Invalid ProjectionExpression: ...").
ProjectionAst ParseProjectionAst(std::string_view expression);

// Phase 2: resolves #names (recording them in `used`, which may be null) and
// rejects overlapping or conflicting paths. `names` is null when the request
// had no ExpressionAttributeNames. Paths keep the expression's order.
std::vector<DocumentPath> ResolveProjection(
    const ProjectionAst& ast, const ExpressionAttributeNames* names,
    UsedNames* used);

// Both phases. The caller reports unused names once every expression of the
// request has been resolved (see UnusedNamesMessage).
std::vector<DocumentPath> ParseProjection(std::string_view expression,
                                          const ExpressionAttributeNames* names,
                                          UsedNames* used);

// The resolved paths merged into a tree, built once per request and applied
// to every item a Query or Scan returns.
class ProjectionTree {
 public:
  explicit ProjectionTree(const std::vector<DocumentPath>& paths);

  // The projected parts of `item`, in the item's own nested shape:
  // projecting a.b[2].c keeps {a: {M: {b: {L: [{M: {c: ...}}]}}}}. List
  // elements are compacted in index order (l[3], l[1] -> [l1, l3]) as
  // DynamoDB returns them. Paths that are missing, or that index a value of
  // the wrong type (a map as a list, a string as a map), contribute nothing;
  // a map or list left with no projected part is omitted.
  Item Apply(const Item& item) const;

 private:
  struct Node {
    bool whole = false;  // a path ends here: copy the whole value
    std::map<std::string, std::unique_ptr<Node>, std::less<>> names;
    std::map<uint32_t, std::unique_ptr<Node>> indexes;
  };

  static bool Project(const AttributeValue& value, const Node& node,
                      AttributeValue* out);

  Node root_;
};

// One-shot form of ProjectionTree(paths).Apply(item).
Item ApplyProjection(const Item& item, const std::vector<DocumentPath>& paths);

}  // namespace ddb
