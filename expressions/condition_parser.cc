// Parsing and resolving of condition expressions (see condition.h).
#include <algorithm>
#include <set>
#include <utility>

#include "expressions/condition.h"
#include "expressions/parse_cache.h"
#include "expressions/value_ops.h"

namespace ddb {
namespace {

// The functions of the condition language and how many operands each takes.
struct FunctionInfo {
  std::string_view name;
  size_t operands;
};
constexpr FunctionInfo kFunctions[] = {
    {"attribute_exists", 1}, {"attribute_not_exists", 1},
    {"attribute_type", 2},   {"begins_with", 2},
    {"contains", 2},         {"size", 1},
};

const FunctionInfo* FindFunction(std::string_view name) {
  // Function names are case-sensitive: DynamoDB rejects ATTRIBUTE_EXISTS.
  for (const FunctionInfo& info : kFunctions) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

class ConditionParser {
 public:
  ConditionParser(std::string_view expression, std::string_view parameter)
      : cursor_(expression, parameter, KeywordSet::kCondition) {}

  ConditionAst Parse() {
    ConditionAst ast = ParseOr();
    if (cursor_.Peek().kind != TokenKind::kEnd) cursor_.FailSyntax();
    return ast;
  }

  bool redundant_parentheses() const { return redundant_parentheses_; }
  size_t operator_count() const { return operators_; }

 private:
  static ConditionAst Combine(ConditionAst::Kind kind, ConditionAst left,
                              ConditionAst right) {
    ConditionAst node;
    node.kind = kind;
    node.children.push_back(std::move(left));
    node.children.push_back(std::move(right));
    return node;
  }

  ConditionAst ParseOr() {
    ConditionAst left = ParseAnd();
    while (cursor_.Accept(TokenKind::kOr)) {
      ++operators_;
      left = Combine(ConditionAst::Kind::kOr, std::move(left), ParseAnd());
    }
    return left;
  }

  ConditionAst ParseAnd() {
    ConditionAst left = ParseNot();
    while (cursor_.Accept(TokenKind::kAnd)) {
      ++operators_;
      left = Combine(ConditionAst::Kind::kAnd, std::move(left), ParseNot());
    }
    return left;
  }

  ConditionAst ParseNot() {
    if (!cursor_.Accept(TokenKind::kNot)) return ParsePrimary();
    ++operators_;
    ConditionAst node;
    node.kind = ConditionAst::Kind::kNot;
    node.children.push_back(ParseNot());
    return node;
  }

  ConditionAst ParsePrimary() {
    if (cursor_.Peek().kind == TokenKind::kLeftParen) {
      const size_t open = cursor_.position();
      cursor_.Next();
      ConditionAst inner = ParseOr();
      cursor_.Expect(TokenKind::kRightParen);
      const size_t close = cursor_.position() - 1;
      // "((x))": a group whose whole content is another group. DynamoDB
      // refuses it, while "(x)" and "(x AND (y))" are fine.
      if (groups_.contains({open + 1, close - 1})) {
        redundant_parentheses_ = true;
      }
      groups_.insert({open, close});
      return inner;
    }
    ConditionAst node;
    node.operands.push_back(ParseOperand(cursor_));
    const TokenKind next = cursor_.Peek().kind;
    Comparator comparator;
    switch (next) {
      case TokenKind::kEqual:
        comparator = Comparator::kEq;
        break;
      case TokenKind::kNotEqual:
        comparator = Comparator::kNe;
        break;
      case TokenKind::kLess:
        comparator = Comparator::kLt;
        break;
      case TokenKind::kLessEqual:
        comparator = Comparator::kLe;
        break;
      case TokenKind::kGreater:
        comparator = Comparator::kGt;
        break;
      case TokenKind::kGreaterEqual:
        comparator = Comparator::kGe;
        break;
      case TokenKind::kBetween:
        cursor_.Next();
        ++operators_;
        node.kind = ConditionAst::Kind::kBetween;
        node.operands.push_back(ParseOperand(cursor_));
        cursor_.Expect(TokenKind::kAnd);
        node.operands.push_back(ParseOperand(cursor_));
        return node;
      case TokenKind::kIn:
        cursor_.Next();
        ++operators_;
        node.kind = ConditionAst::Kind::kIn;
        cursor_.Expect(TokenKind::kLeftParen);
        do {
          node.operands.push_back(ParseOperand(cursor_));
        } while (cursor_.Accept(TokenKind::kComma));
        cursor_.Expect(TokenKind::kRightParen);
        return node;
      default:
        if (node.operands[0].kind != OperandAst::Kind::kFunction) {
          cursor_.FailSyntax();
        }
        ++operators_;
        node.kind = ConditionAst::Kind::kFunction;
        return node;
    }
    cursor_.Next();
    ++operators_;
    node.kind = ConditionAst::Kind::kCompare;
    node.comparator = comparator;
    node.operands.push_back(ParseOperand(cursor_));
    return node;
  }

  TokenCursor cursor_;
  std::set<std::pair<size_t, size_t>> groups_;
  bool redundant_parentheses_ = false;
  size_t operators_ = 0;
};

// Calls `fn(operand, top_level)` on every operand of `ast` in source order;
// `top_level` is true for a function call that is a whole condition.
template <typename Fn>
void ForEachOperand(const OperandAst& operand, bool top_level, Fn& fn) {
  fn(operand, top_level);
  for (const OperandAst& arg : operand.args) ForEachOperand(arg, false, fn);
}

template <typename Fn>
void ForEachOperand(const ConditionAst& ast, Fn& fn) {
  for (const ConditionAst& child : ast.children) ForEachOperand(child, fn);
  for (const OperandAst& operand : ast.operands) {
    ForEachOperand(operand, ast.kind == ConditionAst::Kind::kFunction, fn);
  }
}

void CheckRequestIndependent(const ConditionAst& ast,
                             std::string_view parameter) {
  auto unknown = [&](const OperandAst& operand, bool) {
    if (operand.kind == OperandAst::Kind::kFunction &&
        FindFunction(operand.name) == nullptr) {
      ThrowInvalidExpression(
          parameter, "Invalid function name; function: " + operand.name);
    }
  };
  ForEachOperand(ast, unknown);
  // size() yields a number, so it is the one function usable as a value,
  // and the one that cannot stand alone as a condition.
  auto misused = [&](const OperandAst& operand, bool top_level) {
    if (operand.kind != OperandAst::Kind::kFunction) return;
    if (top_level == (operand.name == "size")) {
      ThrowInvalidExpression(
          parameter,
          "The function is not allowed to be used this way in an "
          "expression; function: " +
              operand.name);
    }
  };
  ForEachOperand(ast, misused);
  auto reserved = [&](const OperandAst& operand, bool) {
    if (operand.kind == OperandAst::Kind::kPath) {
      CheckReservedWords(operand.path, parameter);
    }
  };
  ForEachOperand(ast, reserved);
  auto limits = [&](const OperandAst& operand, bool) {
    if (operand.kind == OperandAst::Kind::kPath) {
      CheckPathLimits(operand.path, parameter);
    }
  };
  ForEachOperand(ast, limits);
}

// ---- Resolution ----------------------------------------------------------

// The type an operand is known to have before any item is read: a
// constant's own type, N for size(); none for a path.
std::optional<std::string> StaticType(const Operand& operand) {
  switch (operand.kind) {
    case Operand::Kind::kValue:
      return TypeLetters(operand.value);
    case Operand::Kind::kSize:
      return "N";
    case Operand::Kind::kPath:
      return std::nullopt;
  }
  return std::nullopt;
}

class Resolver {
 public:
  explicit Resolver(const ResolveContext& context) : context_(context) {}

  Condition Resolve(const ConditionAst& ast) {
    Condition condition;
    switch (ast.kind) {
      case ConditionAst::Kind::kAnd:
      case ConditionAst::Kind::kOr:
      case ConditionAst::Kind::kNot:
        condition.kind =
            ast.kind == ConditionAst::Kind::kAnd  ? Condition::Kind::kAnd
            : ast.kind == ConditionAst::Kind::kOr ? Condition::Kind::kOr
                                                  : Condition::Kind::kNot;
        for (const ConditionAst& child : ast.children) {
          condition.children.push_back(Resolve(child));
        }
        return condition;
      case ConditionAst::Kind::kCompare:
        condition.kind = Condition::Kind::kCompare;
        condition.comparator = ast.comparator;
        ResolveOperands(ast.operands, &condition.operands);
        CheckDistinct(ComparatorText(ast.comparator), condition.operands);
        return condition;
      case ConditionAst::Kind::kBetween:
        condition.kind = Condition::Kind::kBetween;
        ResolveOperands(ast.operands, &condition.operands);
        CheckBetweenBounds(condition.operands[1], condition.operands[2]);
        return condition;
      case ConditionAst::Kind::kIn:
        condition.kind = Condition::Kind::kIn;
        ResolveOperands(ast.operands, &condition.operands);
        if (condition.operands.size() - 1 > kMaxInOperands) {
          Fail(
              "The IN operator is provided with too many operands; number of "
              "operands: " +
              std::to_string(condition.operands.size() - 1));
        }
        return condition;
      case ConditionAst::Kind::kFunction:
        return ResolveFunction(ast.operands[0]);
    }
    return condition;
  }

 private:
  [[noreturn]] void Fail(const std::string& detail) const {
    ThrowInvalidExpression(context_.parameter, detail);
  }

  void ResolveOperands(const std::vector<OperandAst>& asts,
                       std::vector<Operand>* out) {
    for (const OperandAst& ast : asts) out->push_back(ResolveOperand(ast));
  }

  Operand ResolveOperand(const OperandAst& ast) {
    Operand operand;
    switch (ast.kind) {
      case OperandAst::Kind::kPath:
        operand.kind = Operand::Kind::kPath;
        operand.path = ResolvePath(ast.path, context_.names,
                                   context_.used_names, context_.parameter);
        break;
      case OperandAst::Kind::kValue:
        operand.kind = Operand::Kind::kValue;
        operand.value = ResolveValue(ast.name, context_);
        break;
      case OperandAst::Kind::kFunction:
        // Only size() gets here: the request-independent checks refused
        // every other function in an operand's place.
        operand.kind = Operand::Kind::kSize;
        ResolveOperands(ast.args, &operand.args);
        CheckOperandCount("size", operand.args.size(), 1);
        if (auto type = StaticType(operand.args[0]);
            type && (*type == "N" || *type == "BOOL" || *type == "NULL")) {
          FailOperandType("size", *type);
        }
        break;
    }
    return operand;
  }

  void CheckOperandCount(std::string_view function, size_t count,
                         size_t expected) const {
    if (count == expected) return;
    Fail(
        "Incorrect number of operands for operator or function; operator or "
        "function: " +
        std::string(function) +
        ", number of operands: " + std::to_string(count));
  }

  [[noreturn]] void FailOperandType(std::string_view function,
                                    const std::string& type) const {
    Fail(
        "Incorrect operand type for operator or function; operator or "
        "function: " +
        std::string(function) + ", operand type: " + type);
  }

  void RequirePath(std::string_view function, const Operand& operand) const {
    if (operand.kind == Operand::Kind::kPath) return;
    Fail(
        "Operator or function requires a document path; operator or "
        "function: " +
        std::string(function));
  }

  // "a = a" can only ever be true (or false): DynamoDB refuses it.
  void CheckDistinct(std::string_view op,
                     const std::vector<Operand>& operands) const {
    if (operands.size() != 2 || operands[0].kind != Operand::Kind::kPath ||
        operands[1].kind != Operand::Kind::kPath ||
        !(operands[0].path == operands[1].path)) {
      return;
    }
    Fail(
        "The first operand must be distinct from the remaining operands for "
        "this operator or function; operator: " +
        std::string(op) + ", first operand: " + operands[0].path.ToString());
  }

  void CheckBetweenBounds(const Operand& low, const Operand& high) const {
    if (low.kind != Operand::Kind::kValue ||
        high.kind != Operand::Kind::kValue) {
      return;
    }
    const std::string bounds =
        "lower bound operand: " + DescribeValue(low.value) +
        ", upper bound operand: " + DescribeValue(high.value);
    if (low.value.type != high.value.type) {
      Fail(
          "The BETWEEN operator requires same data type for lower and upper "
          "bounds; " +
          bounds);
    }
    std::optional<int> order = CompareOrdered(low.value, high.value);
    if (order && *order > 0) {
      Fail(
          "The BETWEEN operator requires upper bound to be greater than or "
          "equal to lower bound; " +
          bounds);
    }
  }

  Condition ResolveFunction(const OperandAst& call) {
    const FunctionInfo& info = *FindFunction(call.name);
    Condition condition;
    ResolveOperands(call.args, &condition.operands);
    CheckOperandCount(info.name, condition.operands.size(), info.operands);
    CheckDistinct(info.name, condition.operands);
    const std::vector<Operand>& args = condition.operands;
    if (info.name == "attribute_exists" ||
        info.name == "attribute_not_exists") {
      RequirePath(info.name, args[0]);
      condition.kind = info.name == "attribute_exists"
                           ? Condition::Kind::kAttributeExists
                           : Condition::Kind::kAttributeNotExists;
    } else if (info.name == "attribute_type") {
      RequirePath(info.name, args[0]);
      std::optional<std::string> type = StaticType(args[1]);
      if (type != "S") {
        // DynamoDB prints every acceptable type when the operand's type is
        // not known up front.
        FailOperandType(info.name,
                        type.value_or("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"));
      }
      static constexpr std::string_view kTypes[] = {
          "S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
      const std::string& name = args[1].value.scalar;
      if (std::find(std::begin(kTypes), std::end(kTypes), name) ==
          std::end(kTypes)) {
        Fail("Invalid attribute type name found; type: " + name +
             ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
      }
      condition.kind = Condition::Kind::kAttributeType;
    } else if (info.name == "begins_with") {
      for (const Operand& arg : args) {
        std::optional<std::string> type = StaticType(arg);
        if (type && *type != "S" && *type != "B") {
          FailOperandType(info.name, *type);
        }
      }
      condition.kind = Condition::Kind::kBeginsWith;
    } else {
      condition.kind = Condition::Kind::kContains;
    }
    return condition;
  }

  const ResolveContext& context_;
};

}  // namespace

const char* ComparatorText(Comparator comparator) {
  switch (comparator) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
  }
  return "=";
}

std::shared_ptr<const ConditionAst> ParseConditionAst(
    std::string_view expression, std::string_view parameter) {
  CheckExpressionSize(expression, parameter,
                      /*report_size=*/parameter != "KeyConditionExpression");
  if (IsBlank(expression)) {
    ThrowInvalidExpression(parameter, "The expression can not be empty;");
  }
  ConditionParser parser(expression, parameter);
  auto ast = std::make_shared<ConditionAst>(parser.Parse());
  if (parser.redundant_parentheses()) {
    ThrowInvalidExpression(parameter,
                           "The expression has redundant parentheses;");
  }
  CheckRequestIndependent(*ast, parameter);
  if (parser.operator_count() > kMaxOperators) {
    ThrowInvalidExpression(
        parameter,
        "The expression contains too many operators; operator count: " +
            std::to_string(parser.operator_count()));
  }
  return ast;
}

Condition ResolveCondition(const ConditionAst& ast,
                           const ResolveContext& context) {
  return Resolver(context).Resolve(ast);
}

Condition ParseCondition(std::string_view expression,
                         const ResolveContext& context) {
  return ResolveCondition(*CachedConditionAst(expression, context.parameter),
                          context);
}

}  // namespace ddb
