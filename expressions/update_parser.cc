// Parsing and resolving of update expressions (see update.h).
#include <utility>

#include "expressions/parse_cache.h"
#include "expressions/update.h"

namespace ddb {
namespace {

constexpr std::string_view kParameter = "UpdateExpression";

bool IsClauseKeyword(TokenKind kind) {
  return kind == TokenKind::kSet || kind == TokenKind::kRemove ||
         kind == TokenKind::kAdd || kind == TokenKind::kDelete;
}

class UpdateParser {
 public:
  explicit UpdateParser(std::string_view expression)
      : cursor_(expression, kParameter, KeywordSet::kUpdate) {}

  UpdateAst Parse() {
    UpdateAst ast;
    do {
      ParseClause(&ast);
    } while (cursor_.Peek().kind != TokenKind::kEnd);
    return ast;
  }

  // The first clause keyword seen twice, upper-case, or "".
  const std::string& repeated_clause() const { return repeated_clause_; }

 private:
  void ParseClause(UpdateAst* ast) {
    const Token& keyword = cursor_.Peek();
    if (!IsClauseKeyword(keyword.kind)) cursor_.FailSyntax();
    cursor_.Next();
    UpdateActionAst::Kind kind;
    const char* name;
    switch (keyword.kind) {
      case TokenKind::kSet:
        kind = UpdateActionAst::Kind::kSet;
        name = "SET";
        break;
      case TokenKind::kRemove:
        kind = UpdateActionAst::Kind::kRemove;
        name = "REMOVE";
        break;
      case TokenKind::kAdd:
        kind = UpdateActionAst::Kind::kAdd;
        name = "ADD";
        break;
      default:
        kind = UpdateActionAst::Kind::kDelete;
        name = "DELETE";
        break;
    }
    const unsigned bit = 1u << static_cast<unsigned>(kind);
    if ((seen_clauses_ & bit) != 0 && repeated_clause_.empty()) {
      repeated_clause_ = name;
    }
    seen_clauses_ |= bit;
    do {
      ast->actions.push_back(ParseAction(kind));
    } while (cursor_.Accept(TokenKind::kComma));
  }

  UpdateActionAst ParseAction(UpdateActionAst::Kind kind) {
    UpdateActionAst action;
    action.kind = kind;
    action.path = ParsePath(cursor_);
    switch (kind) {
      case UpdateActionAst::Kind::kSet:
        cursor_.Expect(TokenKind::kEqual);
        action.left = ParseOperand(cursor_);
        if (cursor_.Accept(TokenKind::kPlus)) {
          action.arithmetic = UpdateActionAst::Arithmetic::kPlus;
          action.right = ParseOperand(cursor_);
        } else if (cursor_.Accept(TokenKind::kMinus)) {
          action.arithmetic = UpdateActionAst::Arithmetic::kMinus;
          action.right = ParseOperand(cursor_);
        }
        break;
      case UpdateActionAst::Kind::kRemove:
        break;
      case UpdateActionAst::Kind::kAdd:
      case UpdateActionAst::Kind::kDelete: {
        const Token& value = cursor_.Expect(TokenKind::kValuePlaceholder);
        action.left.kind = OperandAst::Kind::kValue;
        action.left.name = std::string(value.text);
        break;
      }
    }
    return action;
  }

  TokenCursor cursor_;
  unsigned seen_clauses_ = 0;
  std::string repeated_clause_;
};

// Calls `fn` on every operand of every action, in source order, functions
// before their arguments.
template <typename Fn>
void ForEachOperandOf(const OperandAst& operand, Fn& fn) {
  fn(operand);
  for (const OperandAst& arg : operand.args) ForEachOperandOf(arg, fn);
}

template <typename Fn>
void ForEachOperand(const UpdateAst& ast, Fn fn) {
  for (const UpdateActionAst& action : ast.actions) {
    if (action.kind == UpdateActionAst::Kind::kRemove) continue;
    ForEachOperandOf(action.left, fn);
    if (action.arithmetic != UpdateActionAst::Arithmetic::kNone) {
      ForEachOperandOf(action.right, fn);
    }
  }
}

// Every path of the expression, targets and values alike, in source order.
template <typename Fn>
void ForEachPathOf(const UpdateAst& ast, Fn fn) {
  for (const UpdateActionAst& action : ast.actions) {
    fn(action.path);
    if (action.kind != UpdateActionAst::Kind::kSet) continue;
    ForEachPath(action.left, fn);
    if (action.arithmetic != UpdateActionAst::Arithmetic::kNone) {
      ForEachPath(action.right, fn);
    }
  }
}

bool IsUpdateFunction(std::string_view name) {
  return name == "if_not_exists" || name == "list_append";
}

// The upper-case type names DynamoDB's ADD and DELETE messages use.
const char* LongTypeName(AttrType type) {
  switch (type) {
    case AttrType::kS:
      return "STRING";
    case AttrType::kN:
      return "NUMBER";
    case AttrType::kB:
      return "BINARY";
    case AttrType::kBool:
      return "BOOLEAN";
    case AttrType::kNull:
      return "NULL";
    case AttrType::kL:
      return "LIST";
    case AttrType::kM:
      return "MAP";
    default:
      return AttrTypeName(type);
  }
}

class UpdateResolver {
 public:
  explicit UpdateResolver(const ResolveContext& context) : context_(context) {}

  Update Resolve(const UpdateAst& ast) {
    // Names across the whole expression first, then values: DynamoDB
    // reports an undefined #name even when an undefined :value comes first.
    ForEachPathOf(ast, [&](const PathAst& path) {
      ResolvePath(path, context_.names, context_.used_names, kParameter);
    });
    Update update;
    std::vector<DocumentPath> targets;
    for (const UpdateActionAst& action_ast : ast.actions) {
      UpdateAction action;
      action.kind = static_cast<UpdateAction::Kind>(action_ast.kind);
      action.path =
          ResolvePath(action_ast.path, context_.names, nullptr, kParameter);
      targets.push_back(action.path);
      switch (action_ast.kind) {
        case UpdateActionAst::Kind::kSet:
          action.value = ResolveSetValue(action_ast);
          break;
        case UpdateActionAst::Kind::kRemove:
          break;
        case UpdateActionAst::Kind::kAdd:
        case UpdateActionAst::Kind::kDelete:
          action.operand = ResolveValue(action_ast.left.name, context_);
          break;
      }
      update.actions.push_back(std::move(action));
    }
    CheckPathsDisjoint(targets, kParameter);
    for (const UpdateAction& action : update.actions) {
      CheckAddDeleteOperand(action);
    }
    for (const UpdateAction& action : update.actions) {
      if (action.kind == UpdateAction::Kind::kSet) CheckValue(action.value);
    }
    return update;
  }

 private:
  [[noreturn]] void Fail(const std::string& detail) const {
    ThrowInvalidExpression(kParameter, detail);
  }

  UpdateValue ResolveSetValue(const UpdateActionAst& action) {
    if (action.arithmetic == UpdateActionAst::Arithmetic::kNone) {
      return ResolveOperand(action.left);
    }
    UpdateValue value;
    value.kind = action.arithmetic == UpdateActionAst::Arithmetic::kPlus
                     ? UpdateValue::Kind::kPlus
                     : UpdateValue::Kind::kMinus;
    value.args.push_back(ResolveOperand(action.left));
    value.args.push_back(ResolveOperand(action.right));
    return value;
  }

  UpdateValue ResolveOperand(const OperandAst& ast) {
    UpdateValue value;
    switch (ast.kind) {
      case OperandAst::Kind::kPath:
        value.kind = UpdateValue::Kind::kPath;
        value.path = ResolvePath(ast.path, context_.names, nullptr, kParameter);
        break;
      case OperandAst::Kind::kValue:
        value.kind = UpdateValue::Kind::kValue;
        value.value = ResolveValue(ast.name, context_);
        break;
      case OperandAst::Kind::kFunction:
        value.kind = ast.name == "if_not_exists"
                         ? UpdateValue::Kind::kIfNotExists
                         : UpdateValue::Kind::kListAppend;
        for (const OperandAst& arg : ast.args) {
          value.args.push_back(ResolveOperand(arg));
        }
        break;
    }
    return value;
  }

  void CheckAddDeleteOperand(const UpdateAction& action) const {
    if (action.kind != UpdateAction::Kind::kAdd &&
        action.kind != UpdateAction::Kind::kDelete) {
      return;
    }
    const AttrType type = action.operand.type;
    const bool is_add = action.kind == UpdateAction::Kind::kAdd;
    if (type == AttrType::kSS || type == AttrType::kNS ||
        type == AttrType::kBS || (is_add && type == AttrType::kN)) {
      return;
    }
    Fail(std::string("Incorrect operand type for operator or function; "
                     "operator: ") +
         (is_add ? "ADD" : "DELETE") + ", operand type: " + LongTypeName(type));
  }

  void CheckValue(const UpdateValue& value) const {
    const char* name = nullptr;
    AttrType required = AttrType::kN;
    switch (value.kind) {
      case UpdateValue::Kind::kPath:
      case UpdateValue::Kind::kValue:
        return;
      case UpdateValue::Kind::kIfNotExists:
        name = "if_not_exists";
        break;
      case UpdateValue::Kind::kListAppend:
        name = "list_append";
        required = AttrType::kL;
        break;
      case UpdateValue::Kind::kPlus:
        name = "+";
        break;
      case UpdateValue::Kind::kMinus:
        name = "-";
        break;
    }
    if (value.args.size() != 2) {
      Fail(
          "Incorrect number of operands for operator or function; operator "
          "or function: " +
          std::string(name) +
          ", number of operands: " + std::to_string(value.args.size()));
    }
    if (value.kind == UpdateValue::Kind::kIfNotExists) {
      if (value.args[0].kind != UpdateValue::Kind::kPath) {
        Fail(
            "Operator or function requires a document path; operator or "
            "function: if_not_exists");
      }
    } else {
      // Only constants are known before the item is read.
      for (const UpdateValue& arg : value.args) {
        if (arg.kind == UpdateValue::Kind::kValue &&
            arg.value.type != required) {
          Fail(
              "Incorrect operand type for operator or function; operator or "
              "function: " +
              std::string(name) +
              ", operand type: " + AttrTypeName(arg.value.type));
        }
      }
    }
    for (const UpdateValue& arg : value.args) CheckValue(arg);
  }

  const ResolveContext& context_;
};

}  // namespace

std::shared_ptr<const UpdateAst> ParseUpdateAst(std::string_view expression) {
  CheckExpressionSize(expression, kParameter, /*report_size=*/false);
  if (IsBlank(expression)) {
    ThrowInvalidExpression(kParameter, "The expression can not be empty;");
  }
  UpdateParser parser(expression);
  auto ast = std::make_shared<UpdateAst>(parser.Parse());
  ForEachPathOf(
      *ast, [](const PathAst& path) { CheckReservedWords(path, kParameter); });
  ForEachPathOf(*ast,
                [](const PathAst& path) { CheckPathLimits(path, kParameter); });
  ForEachOperand(*ast, [](const OperandAst& operand) {
    if (operand.kind == OperandAst::Kind::kFunction &&
        !IsUpdateFunction(operand.name)) {
      ThrowInvalidExpression(
          kParameter, "Invalid function name; function: " + operand.name);
    }
  });
  if (!parser.repeated_clause().empty()) {
    ThrowInvalidExpression(kParameter, "The \"" + parser.repeated_clause() +
                                           "\" section can only be used once "
                                           "in an update expression;");
  }
  return ast;
}

Update ResolveUpdate(const UpdateAst& ast, const ResolveContext& context) {
  return UpdateResolver(context).Resolve(ast);
}

Update ParseUpdate(std::string_view expression, const ResolveContext& context) {
  return ResolveUpdate(*CachedUpdateAst(expression), context);
}

std::vector<DocumentPath> UpdatedPaths(const Update& update) {
  std::vector<DocumentPath> paths;
  paths.reserve(update.actions.size());
  for (const UpdateAction& action : update.actions) {
    paths.push_back(action.path);
  }
  return paths;
}

}  // namespace ddb
